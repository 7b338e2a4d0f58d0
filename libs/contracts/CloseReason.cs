namespace Vapora.Contracts;

/// <summary>
/// Why a gateway closed a WebSocket: the close code, the reason text sent with it, and whether the client should
/// reconnect (to any replica) and resume after the last version it saw. Every close the gateway sends is one of
/// these, and every client decides with <see cref="ShouldResume"/>, so code, text and meaning live in one place.
/// </summary>
/// <remarks>
/// The codes and their meaning are a documented contract (README, "Close codes"): 4400–4499 mirror HTTP client errors
/// and mean "give up", as do 1003, 1007, 1008 and 1009 (the gateway refused what the client sent: sending it again
/// cannot help). Every other code means "resume after a backoff", including codes this version does not know (a newer
/// gateway's, a proxy's 1014 or 3000–3999) and a 1000 or 1005 the client did not ask for: a client that gave up on
/// them would stay dark after a server upgrade. The JavaScript client decides by the same rule (a test compares them).
/// Changing one breaks outside clients.
/// </remarks>
/// <param name="Code">The WebSocket close code.</param>
/// <param name="Reason">The close reason text (at most 123 bytes of UTF-8 on the wire).</param>
/// <param name="Resume">True when the client should reconnect and resume; false when retrying cannot help.</param>
public sealed record CloseReason(int Code, string Reason, bool Resume)
{
    /// <summary>
    /// Normal close: the gateway's answer to a client's close. A gateway never ends a stream with it unasked, so a
    /// client that did not ask (a proxy closed it) resumes.
    /// </summary>
    public static readonly CloseReason Normal = new(1000, string.Empty, Resume: true);

    /// <summary>The gateway is draining or shutting down: resume on another replica.</summary>
    public static readonly CloseReason GoingAway = new(1001, "going away: resume on another replica", Resume: true);

    /// <summary>A frame the protocol does not allow: a binary frame.</summary>
    public static readonly CloseReason UnsupportedData = new(1003, "binary frames are not accepted; send JSON text frames", Resume: false);

    /// <summary>The server closed without a status code (never sent; what a client reads then, e.g. from a proxy): resume.</summary>
    public static readonly CloseReason NoStatus = new(1005, string.Empty, Resume: true);

    /// <summary>The connection dropped without a close frame (never sent; what a client sees on a network failure).</summary>
    public static readonly CloseReason Abnormal = new(1006, "connection dropped", Resume: true);

    /// <summary>An inbound message above the configured limit (the reason names the limit, see <see cref="MessageTooBig"/>).</summary>
    public static readonly CloseReason MessageTooBigTemplate = new(1009, "message too big", Resume: false);

    /// <summary>An unexpected server error: resume.</summary>
    public static readonly CloseReason InternalError = new(1011, "internal error: resume", Resume: true);

    /// <summary>The server restarts (sent by proxies in front of gateways): resume.</summary>
    public static readonly CloseReason ServiceRestart = new(1012, "service restart: resume", Resume: true);

    /// <summary>The gateway is at its connection limit: resume elsewhere after a backoff.</summary>
    public static readonly CloseReason TryAgainLater = new(1013, "gateway at its connection limit: retry later", Resume: true);

    /// <summary>
    /// No token can be checked now because the token issuer's keys cannot be fetched (an identity-provider outage):
    /// retry after a backoff. Same code as <see cref="TryAgainLater"/>.
    /// </summary>
    public static readonly CloseReason IssuerUnavailable = TryAgainLater with { Reason = "tokens cannot be checked now (token issuer unreachable): retry later" };

    /// <summary>The client did not read fast enough and its send queue overflowed: resume.</summary>
    public static readonly CloseReason SlowConsumer = new(4000, "slow consumer: resume from your last version", Resume: true);

    /// <summary>The gateway could not catch the client up (Redis or the update log unreachable): resume.</summary>
    public static readonly CloseReason CatchUpFailed = new(4001, "cannot serve this workflow right now: resume", Resume: true);

    /// <summary>
    /// Too many clients are catching up on this gateway at once (its history reads are all taken and queued): resume
    /// after a backoff, on any replica. Sent in a reconnect storm instead of queueing without bound.
    /// </summary>
    public static readonly CloseReason CatchUpBusy = new(4002, "too many resumes at once: resume after a backoff", Resume: true);

    /// <summary>A malformed request (bad id, bad <c>after</c>, bad frame): do not retry (see <see cref="BadRequest"/>).</summary>
    public static readonly CloseReason BadRequestTemplate = new(4400, "bad request", Resume: false);

    /// <summary>No credentials: do not retry without a token.</summary>
    public static readonly CloseReason Unauthorized = new(4401, "a bearer token is required (Authorization header or access_token query parameter)", Resume: false);

    /// <summary>The token is not valid: do not retry with the same token.</summary>
    public static readonly CloseReason InvalidToken = Unauthorized with { Reason = "invalid token" };

    /// <summary>The token expired (at connect or while connected): reconnect only with a fresh token.</summary>
    public static readonly CloseReason TokenExpired = Unauthorized with { Reason = "token expired: reconnect with a fresh token" };

    /// <summary>The token does not allow this workflow: do not retry.</summary>
    public static readonly CloseReason Forbidden = new(4403, "this token does not allow this workflow", Resume: false);

    /// <summary>The workflow does not exist: do not retry.</summary>
    public static readonly CloseReason NotFound = new(4404, "workflow not found", Resume: false);

    /// <summary>Every code with a fixed meaning; of the others, 4400–4499, 1007 and 1008 give up and the rest resume.</summary>
    public static IReadOnlyList<CloseReason> Known { get; } =
    [
        Normal, GoingAway, UnsupportedData, NoStatus, Abnormal, MessageTooBigTemplate, InternalError, ServiceRestart,
        TryAgainLater, SlowConsumer, CatchUpFailed, CatchUpBusy, BadRequestTemplate, Unauthorized, Forbidden, NotFound,
    ];

    /// <summary>1009 naming the limit the message broke.</summary>
    public static CloseReason MessageTooBig(int maxBytes) => MessageTooBigTemplate with { Reason = $"message larger than {maxBytes} bytes" };

    /// <summary>4400 with what was wrong.</summary>
    public static CloseReason BadRequest(string reason) => BadRequestTemplate with { Reason = reason };

    /// <summary>True when a client should reconnect and resume after a close with <paramref name="code"/>.</summary>
    public static bool ShouldResume(int code)
    {
        foreach (var known in Known)
        {
            if (known.Code == code)
            {
                return known.Resume;
            }
        }

        // Unknown codes resume: only the give-up range, and what the peer refused of ours, cannot change on a retry.
        return code is not (>= 4400 and <= 4499) and not (1007 or 1008);
    }
}
