namespace Vapora.Contracts;

/// <summary>
/// WebSocket close codes used by the gateway, in one place.
/// 4000–4399 and 1001/1011/1012/1013 mean "reconnect (to any replica) and resume from the last version seen";
/// 4400–4499 mirror HTTP client errors and mean "give up": retrying cannot help.
/// </summary>
public static class WorkflowCloseCodes
{
    /// <summary>Normal close, requested by the client or at the end of a stream.</summary>
    public const int Normal = 1000;

    /// <summary>The gateway is draining or shutting down: resume on another replica.</summary>
    public const int GoingAway = 1001;

    /// <summary>A frame the protocol does not allow (for example a binary frame).</summary>
    public const int UnsupportedData = 1003;

    /// <summary>An inbound frame is larger than the configured limit.</summary>
    public const int MessageTooBig = 1009;

    /// <summary>An unexpected server error: resume.</summary>
    public const int InternalError = 1011;

    /// <summary>The gateway is at its connection limit: resume elsewhere after a backoff.</summary>
    public const int TryAgainLater = 1013;

    /// <summary>The client did not read fast enough and its send queue overflowed: resume.</summary>
    public const int SlowConsumer = 4000;

    /// <summary>The gateway could not catch the client up (update log unreachable): resume.</summary>
    public const int CatchUpFailed = 4001;

    /// <summary>The request was malformed (bad id, bad <c>after</c>, bad frame): do not retry.</summary>
    public const int BadRequest = 4400;

    /// <summary>No valid credentials: do not retry with the same token.</summary>
    public const int Unauthorized = 4401;

    /// <summary>The token does not allow this workflow: do not retry.</summary>
    public const int Forbidden = 4403;

    /// <summary>The workflow does not exist: do not retry.</summary>
    public const int NotFound = 4404;

    /// <summary>True when a client should reconnect and resume after this close code.</summary>
    public static bool ShouldResume(int code) => code switch
    {
        GoingAway or InternalError or 1012 or TryAgainLater or 1006 => true,
        >= 4000 and < 4400 => true,
        _ => false,
    };
}
