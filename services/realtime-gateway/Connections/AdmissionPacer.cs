using System.Collections.Concurrent;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using Vapora.RealtimeGateway.Internal;

namespace Vapora.RealtimeGateway.Connections;

/// <summary>
/// Paces the admission of new connections so that live delivery keeps priority when many arrive at once (the clients
/// of a gateway that died all resuming here). At most <see cref="ConnectionOptions.MaxConcurrentAdmissions"/>
/// connections are admitted at a time, from before the upgrade until their first subscribe has caught up (or for
/// <see cref="ConnectionOptions.AdmissionHoldLimit"/>, when it waits for the API). The others wait their turn in order
/// (their handshake is merely answered later), so the CPU that handshakes and catch-up take comes in small steps
/// between the live frames instead of as one wall of work ahead of them. A connection that would wait past
/// <see cref="ConnectionOptions.AdmissionQueueTimeout"/>, or find <see cref="ConnectionOptions.AdmissionQueueLimit"/>
/// waiting, is answered 503 with Retry-After and reconnects after its backoff.
/// </summary>
internal sealed class AdmissionPacer : IDisposable
{
    /// <summary>
    /// Connections that start waiting within one slot share one deadline (a token cancelled the queue timeout after the
    /// slot began), so waiting costs no timer of its own: in a storm every connection waits.
    /// </summary>
    private static readonly TimeSpan DeadlineSlot = TimeSpan.FromMilliseconds(100);

    private readonly ConcurrencyLimiter? _limiter;
    private readonly TimeProvider _time;
    private readonly TimeSpan _timeout;
    private readonly long _holdTicks;
    private readonly long _slotTicks;
    private readonly TimeSpan _sweepPeriod;
    private readonly GatewayMetrics _metrics;

    /// <summary>Turns taken, oldest first: one timer gives back those held past the hold limit (<see cref="Sweep"/>).</summary>
    private readonly ConcurrentQueue<AdmissionTicket> _held = new();
    private readonly ITimer? _sweeper;
    private readonly Lock _sweep = new();
    private int _sweeping;
    private volatile bool _disposed;
    private SharedDeadline? _deadline;

    public AdmissionPacer(IOptions<ConnectionOptions> options, TimeProvider time, GatewayMetrics metrics)
    {
        var settings = options.Value;
        _time = time;
        _metrics = metrics;
        _timeout = settings.AdmissionQueueTimeout;
        _holdTicks = (long)(settings.AdmissionHoldLimit.TotalSeconds * time.TimestampFrequency);
        // A slot is at most a tenth of the timeout, so no one waits much less than the timeout.
        _slotTicks = Math.Max(1, (long)(Math.Min(DeadlineSlot.TotalSeconds, settings.AdmissionQueueTimeout.TotalSeconds / 10) * time.TimestampFrequency));
        _sweepPeriod = TimeSpan.FromTicks(Math.Clamp(settings.AdmissionHoldLimit.Ticks / 4, TimeSpan.TicksPerMillisecond * 10, TimeSpan.TicksPerSecond));
        if (settings.MaxConcurrentAdmissions > 0)
        {
            _limiter = new ConcurrencyLimiter(new ConcurrencyLimiterOptions
            {
                PermitLimit = settings.MaxConcurrentAdmissions,
                QueueLimit = settings.AdmissionQueueLimit,
                QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            });
            _sweeper = time.CreateTimer(_ => Sweep(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }

        metrics.ObserveAdmissions(() => Waiting);
    }

    /// <summary>Turns the pacer still watches for the hold limit (given back ones until its timer forgets them).</summary>
    public int Held => _held.Count;

    /// <summary>Connections waiting for their turn now.</summary>
    public long Waiting => _limiter is null || _disposed ? 0 : _limiter.GetStatistics()?.CurrentQueuedCount ?? 0;

    /// <summary>
    /// Waits for this request's turn; null when it may not wait any longer (then answered 503 with Retry-After) or its
    /// client left while it waited. The ticket is released by <see cref="AdmissionTicket.Release"/> once the connection
    /// is live or refused, or here once it has held its turn for the hold limit.
    /// </summary>
    public async ValueTask<AdmissionTicket?> EnterAsync(HttpContext http)
    {
        if (_limiter is null)
        {
            return AdmissionTicket.Unpaced;
        }

        var lease = _limiter.AttemptAcquire();
        if (lease.IsAcquired)
        {
            return Hold(lease);
        }

        lease.Dispose();
        var started = _time.GetTimestamp();
        try
        {
            // Not the request's own abort token: a client that leaves while it waits is let go when its turn comes.
            lease = await _limiter.AcquireAsync(1, Deadline());
        }
        catch (OperationCanceledException)
        {
            lease = null;
        }

        if (lease is { IsAcquired: true })
        {
            if (http.RequestAborted.IsCancellationRequested)
            {
                lease.Dispose();
                return null;
            }

            _metrics.AdmissionWaited(_time.GetElapsedTime(started));
            return Hold(lease);
        }

        lease?.Dispose();
        if (!http.RequestAborted.IsCancellationRequested)
        {
            _metrics.InboundRejected("admission_queue");
            http.Response.Headers.RetryAfter = "1";
            await TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Too many connections arriving",
                detail: "This gateway is admitting many connections at once (Gateway:MaxConcurrentAdmissions); try again after the Retry-After delay.")
                .ExecuteAsync(http);
        }

        return null;
    }

    public void Dispose()
    {
        _disposed = true;
        _sweeper?.Dispose();
        // Waiting ones are refused. The shared deadline's source is left to its own timer: a request still on its way in
        // may be reading its token.
        _limiter?.Dispose();
    }

    private AdmissionTicket Hold(RateLimitLease lease)
    {
        var ticket = new AdmissionTicket(lease, _time.GetTimestamp() + _holdTicks);
        _held.Enqueue(ticket);
        if (Interlocked.Exchange(ref _sweeping, 1) == 0)
        {
            Arm(_sweepPeriod);
        }

        return ticket;
    }

    /// <summary>Gives back the turns held past the hold limit (and forgets those already given back); stops when none is held.</summary>
    private void Sweep()
    {
        // A tick that overlaps a slow one leaves it the queue.
        if (!_sweep.TryEnter())
        {
            return;
        }

        try
        {
            SweepLocked();
        }
        finally
        {
            _sweep.Exit();
        }
    }

    private void SweepLocked()
    {
        var now = _time.GetTimestamp();
        while (_held.TryPeek(out var ticket) && (ticket.IsReleased || ticket.ReleaseAt <= now))
        {
            _held.TryDequeue(out _);
            ticket.Release();
        }

        if (_held.IsEmpty)
        {
            // Stopped first, then marked stopped: a turn taken from here on finds the mark cleared and starts the timer
            // itself, so it is never left stopped with turns held.
            Arm(Timeout.InfiniteTimeSpan);
            Interlocked.Exchange(ref _sweeping, 0);
            if (!_held.IsEmpty && Interlocked.Exchange(ref _sweeping, 1) == 0)
            {
                Arm(_sweepPeriod);
            }
        }
    }

    private void Arm(TimeSpan period)
    {
        if (_disposed)
        {
            return;
        }

        try
        {
            _sweeper!.Change(period, period);
        }
        catch (ObjectDisposedException)
        {
            // Shutting down: nothing is admitted any more.
        }
    }

    /// <summary>The deadline of connections that start waiting now: shared by every one of the same slot.</summary>
    private CancellationToken Deadline()
    {
        var slot = _time.GetTimestamp() / _slotTicks;
        var current = Volatile.Read(ref _deadline);
        if (current is not null && current.Slot == slot)
        {
            return current.Source.Token;
        }

        var fresh = new SharedDeadline(slot, new CancellationTokenSource(_timeout, _time));
        var seen = Interlocked.CompareExchange(ref _deadline, fresh, current);
        if (ReferenceEquals(seen, current))
        {
            // The previous slot's source cancels on its own timer; its waiters still hold its token.
            return fresh.Source.Token;
        }

        fresh.Source.Dispose();
        return seen!.Source.Token;
    }

    private sealed record SharedDeadline(long Slot, CancellationTokenSource Source);
}

/// <summary>A connection's turn to be admitted: released once, when it is live, refused or gone, or held past the hold limit.</summary>
/// <param name="lease">The limiter's permit; null when pacing is off.</param>
/// <param name="releaseAt">When the pacer gives the turn back if the connection has not (a <see cref="TimeProvider"/> timestamp).</param>
internal sealed class AdmissionTicket(RateLimitLease? lease, long releaseAt)
{
    /// <summary>The ticket when pacing is off: nothing to release.</summary>
    public static readonly AdmissionTicket Unpaced = new(null, 0);

    private RateLimitLease? _lease = lease;

    public long ReleaseAt { get; } = releaseAt;

    public bool IsReleased => Volatile.Read(ref _lease) is null;

    public void Release() => Interlocked.Exchange(ref _lease, null)?.Dispose();

    /// <summary><paramref name="start"/>, giving the turn back when it ends (the first subscribe has caught up, or failed).</summary>
    public Func<Connection, Task> Around(Func<Connection, Task> start) =>
        _lease is null ? start : async connection =>
        {
            try
            {
                await start(connection);
            }
            finally
            {
                Release();
            }
        };
}
