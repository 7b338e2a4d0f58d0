namespace Vapora.Client.Transports;

/// <summary>Why an in-band token refresh failed (the stream raises it as <c>TokenRefreshFailed</c>).</summary>
/// <param name="Reason">The gateway's error message, or the callback's failure.</param>
/// <param name="Error">The exception the token callback threw, if that is what failed.</param>
internal sealed record RefreshFailure(string Reason, Exception? Error);
