namespace Vapora.WorkflowApi.Workflows;

/// <summary>
/// The whole-request bound of <c>/api/workflows</c> (<c>Storage:RequestTimeout</c>), set by
/// <see cref="RequestDeadlineFilter"/>. Its <see cref="Token"/> cancels the store calls still to come when it passes; a
/// write stops it at its commit point (what follows, the publish, has its own bound), and the filter stops it once the
/// handler has its answer. It moves once, from running to stopped or to passed, and whichever comes first holds: a
/// deadline that stopped never cancels, and one that passed answers 503, however close the two come. Each store call
/// has its own, shorter bound as well (<c>Storage:OperationTimeout</c>); this one caps their sum, which a write multiplies.
/// </summary>
public sealed class RequestDeadline : IDisposable
{
    /// <summary>The <c>operation</c> of <c>vapora.api.store.errors</c> that counts requests past their deadline.</summary>
    public const string Operation = "request_deadline";

    private const int Running = 0;
    private const int Stopped = 1;
    private const int Passed = 2;

    // The timer does not belong to the token's source: cancelling happens only in Pass, after the state says so.
    private readonly CancellationTokenSource _passed = new();
    private readonly ITimer? _timer;
    private int _state;

    /// <summary>Starts a deadline <paramref name="timeout"/> from now on <paramref name="time"/>'s clock.</summary>
    public RequestDeadline(TimeSpan timeout, TimeProvider time) =>
        _timer = time.CreateTimer(static deadline => ((RequestDeadline)deadline!).Pass(), this, timeout, Timeout.InfiniteTimeSpan);

    private RequestDeadline()
    {
    }

    /// <summary>No deadline: it never passes (a write outside a request, or a request without the filter).</summary>
    public static RequestDeadline None { get; } = new();

    /// <summary>Cancelled when the deadline passes; never once it stopped.</summary>
    public CancellationToken Token => _passed.Token;

    /// <summary>True once the deadline has passed (set before <see cref="Token"/> is cancelled).</summary>
    public bool HasPassed => Volatile.Read(ref _state) == Passed;

    /// <summary>The deadline of <paramref name="http"/>'s request, or <see cref="None"/>.</summary>
    public static RequestDeadline Of(HttpContext http) => http.Features.Get<RequestDeadline>() ?? None;

    /// <summary>Stops the deadline; false when it had passed already (the request must then answer 503).</summary>
    public bool TryStop()
    {
        if (Interlocked.CompareExchange(ref _state, Stopped, Running) == Running)
        {
            _timer?.Dispose();
            return true;
        }

        return !HasPassed;
    }

    /// <summary>Stops the timer (a deadline still running when its request ends never passes).</summary>
    public void Dispose() => TryStop();

    private void Pass()
    {
        if (Interlocked.CompareExchange(ref _state, Passed, Running) == Running)
        {
            _passed.Cancel();
        }
    }
}
