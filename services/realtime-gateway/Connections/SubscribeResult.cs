using Vapora.Contracts;
using Vapora.Contracts.Protocol;

namespace Vapora.RealtimeGateway.Connections;

/// <summary>
/// How a subscribe ended, and what each kind of endpoint tells its client about it, decided here once: a stream of
/// one workflow ends with <see cref="Close"/>; a multiplexed connection (<c>/ws</c>, <c>/events</c>) goes on and sends
/// an error frame with <see cref="ErrorCode"/> and <see cref="ErrorMessage"/> for that workflow.
/// </summary>
internal sealed class SubscribeResult
{
    public static readonly SubscribeResult Subscribed = new(nameof(Subscribed), null, null, null);

    public static readonly SubscribeResult NotFound = new(nameof(NotFound), CloseReason.NotFound, ServerFrame.ErrorCodes.NotFound, "workflow not found");

    public static readonly SubscribeResult Forbidden = new(nameof(Forbidden), CloseReason.Forbidden, ServerFrame.ErrorCodes.Forbidden,
        "this token does not allow this workflow");

    public static readonly SubscribeResult AlreadySubscribed = new(nameof(AlreadySubscribed), CloseReason.BadRequest("already subscribed"),
        ServerFrame.ErrorCodes.BadFrame, "already subscribed; unsubscribe first to move");

    public static readonly SubscribeResult TooManySubscriptions = new(nameof(TooManySubscriptions), CloseReason.BadRequest("too many subscriptions"),
        ServerFrame.ErrorCodes.TooManySubscriptions, "this connection watches as many workflows as it may");

    /// <summary>Too many history reads in flight and queued on this gateway: try again after a backoff (a reconnect storm).</summary>
    public static readonly SubscribeResult Busy = new(nameof(Busy), CloseReason.CatchUpBusy, ServerFrame.ErrorCodes.Unavailable,
        "too many resumes at once on this gateway; subscribe again after a backoff");

    /// <summary>Redis or the API is unreachable right now: resume later (possibly on another replica).</summary>
    public static readonly SubscribeResult Unavailable = new(nameof(Unavailable), CloseReason.CatchUpFailed, ServerFrame.ErrorCodes.Unavailable,
        "cannot serve this workflow right now; subscribe again later");

    private readonly string _name;

    private SubscribeResult(string name, CloseReason? close, string? errorCode, string? errorMessage)
    {
        _name = name;
        Close = close;
        ErrorCode = errorCode;
        ErrorMessage = errorMessage;
    }

    /// <summary>True when the workflow is watched now.</summary>
    public bool IsSubscribed => Close is null;

    /// <summary>How a stream of this one workflow ends; null when it goes on.</summary>
    public CloseReason? Close { get; }

    /// <summary>The error frame's code on a multiplexed connection (<see cref="ServerFrame.ErrorCodes"/>); null when subscribed.</summary>
    public string? ErrorCode { get; }

    /// <summary>The error frame's message on a multiplexed connection; null when subscribed.</summary>
    public string? ErrorMessage { get; }

    public override string ToString() => _name;
}
