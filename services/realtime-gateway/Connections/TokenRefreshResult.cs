using Vapora.Contracts.Protocol;

namespace Vapora.RealtimeGateway.Connections;

/// <summary>
/// How an in-band token refresh ended: accepted (the connection's new expiry, and the workflows the new token no longer
/// allows, whose subscriptions ended), or refused with an error code and message (nothing changed).
/// </summary>
internal sealed class TokenRefreshResult
{
    private TokenRefreshResult(DateTimeOffset? expiresAt, IReadOnlyList<string> unsubscribed, string? errorCode, string? errorMessage)
    {
        ExpiresAt = expiresAt;
        Unsubscribed = unsubscribed;
        ErrorCode = errorCode;
        ErrorMessage = errorMessage;
    }

    /// <summary>True when the token is the connection's now.</summary>
    public bool IsAccepted => ErrorCode is null;

    /// <summary>When the connection's token now expires; null when nothing expires (authentication off).</summary>
    public DateTimeOffset? ExpiresAt { get; }

    /// <summary>The workflows no longer watched because the new token does not allow them.</summary>
    public IReadOnlyList<string> Unsubscribed { get; }

    /// <summary>The error frame's code when refused (<see cref="ServerFrame.ErrorCodes"/>).</summary>
    public string? ErrorCode { get; }

    /// <summary>The error frame's message when refused.</summary>
    public string? ErrorMessage { get; }

    public static TokenRefreshResult Accepted(DateTimeOffset? expiresAt, IReadOnlyList<string> unsubscribed) => new(expiresAt, unsubscribed, null, null);

    public static TokenRefreshResult Refused(string message) => new(null, [], ServerFrame.ErrorCodes.Unauthorized, message);

    /// <summary>The token could not be checked (its issuer is unreachable): try again; the current token stands.</summary>
    public static TokenRefreshResult Unavailable(string message) => new(null, [], ServerFrame.ErrorCodes.Unavailable, message);
}
