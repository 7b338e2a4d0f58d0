using System.Diagnostics;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using Vapora.RealtimeGateway.Internal;

namespace Vapora.RealtimeGateway.Connections;

/// <summary>
/// Paces the admission of new connections so that live delivery keeps priority when many arrive at once (the clients
/// of a gateway that died all resuming here). At most <see cref="ConnectionOptions.MaxConcurrentAdmissions"/>
/// connections are admitted at a time, from before the upgrade until their first subscribe has caught up (or for
/// <see cref="ConnectionOptions.AdmissionHoldLimit"/>, when it waits for the API); the others wait their turn in order (their handshake is merely answered later), so the CPU that handshakes and catch-up take
/// comes in small steps between the live frames instead of as one wall of work ahead of them. A connection that would
/// wait past <see cref="ConnectionOptions.AdmissionQueueTimeout"/>, or beyond <see cref="ConnectionOptions.AdmissionQueueLimit"/>
/// waiting ones, is answered 503 with Retry-After and reconnects after its backoff.
/// </summary>
internal sealed class AdmissionPacer : IDisposable
{
    private readonly ConcurrencyLimiter? _limiter;
    private readonly TimeSpan _timeout;
    private readonly TimeSpan _holdLimit;
    private readonly GatewayMetrics _metrics;

    public AdmissionPacer(IOptions<ConnectionOptions> options, GatewayMetrics metrics)
    {
        var settings = options.Value;
        _metrics = metrics;
        _timeout = settings.AdmissionQueueTimeout;
        _holdLimit = settings.AdmissionHoldLimit;
        if (settings.MaxConcurrentAdmissions > 0)
        {
            _limiter = new ConcurrencyLimiter(new ConcurrencyLimiterOptions
            {
                PermitLimit = settings.MaxConcurrentAdmissions,
                QueueLimit = settings.AdmissionQueueLimit,
                QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            });
        }

        metrics.ObserveAdmissions(() => _limiter?.GetStatistics()?.CurrentQueuedCount ?? 0);
    }

    /// <summary>
    /// Waits for this request's turn; null when it may not wait any longer (then answered 503 with Retry-After). The
    /// ticket is released by <see cref="AdmissionTicket.Release"/> once the connection is live (or refused).
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
            return new AdmissionTicket(lease, _holdLimit);
        }

        lease.Dispose();
        var started = Stopwatch.GetTimestamp();
        using (var deadline = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted))
        {
            deadline.CancelAfter(_timeout);
            try
            {
                lease = await _limiter.AcquireAsync(1, deadline.Token);
            }
            catch (OperationCanceledException)
            {
                lease = null;
            }
        }

        if (lease is { IsAcquired: true })
        {
            _metrics.AdmissionWaited(Stopwatch.GetElapsedTime(started));
            return new AdmissionTicket(lease, _holdLimit);
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

    public void Dispose() => _limiter?.Dispose();
}

/// <summary>A connection's turn to be admitted: released once, when it is live, refused or gone.</summary>
/// <param name="holdLimit">Longest the connection's start holds the turn (<see cref="ConnectionOptions.AdmissionHoldLimit"/>).</param>
internal sealed class AdmissionTicket(RateLimitLease? lease, TimeSpan holdLimit)
{
    /// <summary>The ticket when pacing is off: nothing to release.</summary>
    public static readonly AdmissionTicket Unpaced = new(null, TimeSpan.Zero);

    private RateLimitLease? _lease = lease;

    public void Release() => Interlocked.Exchange(ref _lease, null)?.Dispose();

    /// <summary>
    /// <paramref name="start"/>, releasing this ticket when it ends (the first subscribe has caught up, or failed) or
    /// after the hold limit, whichever comes first: a subscribe still waiting then waits for the API, not for the CPU.
    /// </summary>
    public Func<Connection, Task> Around(Func<Connection, Task> start) =>
        _lease is null ? start : async connection =>
        {
            var starting = start(connection);
            try
            {
                await starting.WaitAsync(holdLimit);
            }
            catch (Exception)
            {
                // Still running (its end is awaited below) or failed (rethrown below): either way the turn goes on.
            }
            finally
            {
                Release();
            }

            await starting;
        };
}
