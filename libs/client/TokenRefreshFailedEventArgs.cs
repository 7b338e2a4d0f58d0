namespace Vapora.Client;

/// <summary>
/// Raised when an in-band token refresh failed: the token callback threw, or the gateway refused the fresh token. The
/// connection keeps its current token; the client tries again before expiry, and reconnects with a fresh token if the
/// gateway closes the connection at expiry (4401).
/// </summary>
public sealed class TokenRefreshFailedEventArgs(string reason, Exception? error) : EventArgs
{
    /// <summary>What went wrong: the gateway's error message, or the callback's failure.</summary>
    public string Reason { get; } = reason;

    /// <summary>The exception the token callback threw, if that is what failed.</summary>
    public Exception? Error { get; } = error;
}
