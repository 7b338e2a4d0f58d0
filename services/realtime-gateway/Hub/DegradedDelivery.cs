using System.Diagnostics.Metrics;
using System.Globalization;
using Microsoft.Extensions.Options;
using Vapora.RealtimeGateway.Broker;
using Vapora.RealtimeGateway.Internal;
using Vapora.RealtimeGateway.UpdateLog;

namespace Vapora.RealtimeGateway.Hub;

/// <summary>
/// The degraded mode: while the backplane is silent (<see cref="BackplaneMonitor"/>), or an API replica's heartbeat
/// is (<see cref="ApiHeartbeatListener"/>: its updates are stored but do not reach Redis), every second the watched workflows
/// compared with the API longest ago (at most <see cref="BackplaneOptions.DegradedReadsPerSecond"/>) read one update
/// after their head, and those that have more catch up through the ordinary repair (which keeps the order and drops
/// what a watcher has). So watchers stay seconds behind, not for the whole outage. When the probe comes back, every
/// watched workflow resyncs once more: what was published between the last read and the resubscribe arrives.
/// </summary>
internal sealed class DegradedDelivery : BackgroundService, IBackplaneFallback
{
    /// <summary>Read when no workflow is watched, to know whether the API answers (any answer, a 404 too, will do).</summary>
    private const string ReachabilityProbeId = "vapora-gateway-reachability";

    private static readonly TimeSpan Tick = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan AnswerFreshFor = TimeSpan.FromSeconds(5);

    private readonly TopicRegistry _topics;
    private readonly IUpdateLog _updateLog;
    private readonly BackplaneMonitor _monitor;
    private readonly ApiHeartbeatListener _heartbeats;
    private readonly WorkflowHub _hub;
    private readonly BackplaneOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<DegradedDelivery> _logger;
    private readonly Counter<long> _reads;
    private long _lastApiAnswer;
    private long _degradedSince;
    private long _readsThisOutage;

    public DegradedDelivery(TopicRegistry topics, IUpdateLog updateLog, BackplaneMonitor monitor, ApiHeartbeatListener heartbeats, WorkflowHub hub,
        IOptions<BackplaneOptions> options, TimeProvider time, IMeterFactory meters, ILogger<DegradedDelivery> logger)
    {
        _topics = topics;
        _updateLog = updateLog;
        _monitor = monitor;
        _heartbeats = heartbeats;
        _hub = hub;
        _options = options.Value;
        _time = time;
        _logger = logger;
        var meter = meters.Create(GatewayMetrics.MeterName);
        _reads = meter.CreateCounter<long>("vapora.gateway.degraded.reads", "{read}",
            "Watched workflows compared with the API because the backplane was silent (degraded mode).");
        meter.CreateObservableGauge("vapora.gateway.degraded", () => IsDegraded ? 1 : 0, "{state}",
            "1 while the backplane or an API replica's heartbeat is silent and the gateway reads watched workflows from the API, else 0.");
    }

    private bool IsDegraded => Volatile.Read(ref _degradedSince) != 0;

    public bool IsServing(out string detail)
    {
        var last = Volatile.Read(ref _lastApiAnswer);
        var age = last == 0 ? (TimeSpan?)null : _time.GetElapsedTime(last);
        if (age is { } fresh && fresh < AnswerFreshFor)
        {
            detail = $"serving from the API's history (degraded mode; the API answered {fresh.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s ago)";
            return true;
        }

        detail = age is null ? "the API has not answered yet" : $"the API has not answered for {age.Value.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s";
        return false;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _reads.Add(0);
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = stoppingToken };
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await Task.Delay(Tick, _time, stoppingToken);
                var apiSilent = _heartbeats.TryFindSilent(out var replica, out _);
                if (_monitor.IsDelivering && !apiSilent)
                {
                    EndIfDegraded();
                    // Know beforehand whether the API answers, so readiness can say at once that the gateway still serves.
                    if (_time.GetElapsedTime(Volatile.Read(ref _lastApiAnswer)) >= AnswerFreshFor - Tick)
                    {
                        await ReadAsync(null, stoppingToken);
                    }

                    continue;
                }

                var due = _topics.Topics
                    .Where(t => t.TryGetQuietHead(out _))
                    .OrderBy(t => t.LastConfirmed)
                    .Take(_options.DegradedReadsPerSecond)
                    .ToList();
                StartIfNotDegraded(due.Count, _monitor.IsDelivering ? replica : null);
                if (due.Count == 0)
                {
                    await ReadAsync(null, stoppingToken);
                    continue;
                }

                await Parallel.ForEachAsync(due, parallel, async (topic, ct) => await ReadAsync(topic, ct));
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task ReadAsync(WorkflowTopic? topic, CancellationToken cancellationToken)
    {
        try
        {
            if (topic is null)
            {
                await _updateLog.GetHistoryAsync(ReachabilityProbeId, 0, 1, cancellationToken);
                Volatile.Write(ref _lastApiAnswer, _time.GetTimestamp());
                return;
            }

            if (!topic.TryGetQuietHead(out var head))
            {
                return;
            }

            _reads.Add(1);
            Interlocked.Increment(ref _readsThisOutage);
            var newer = await _updateLog.GetHistoryAsync(topic.WorkflowId, head, 1, cancellationToken);
            Volatile.Write(ref _lastApiAnswer, _time.GetTimestamp());
            if (newer is { Count: > 0 })
            {
                topic.RequestResync();
            }
            else
            {
                topic.Confirm();
            }
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            // The API is away too: readiness says so (IsServing turns false); the next tick tries again.
            BackplaneLog.DegradedReadFailed(_logger, topic?.WorkflowId ?? ReachabilityProbeId, ex);
        }
    }

    /// <param name="silentReplica">The API replica whose heartbeat stopped, or null when Redis itself is silent.</param>
    private void StartIfNotDegraded(int workflows, string? silentReplica)
    {
        if (IsDegraded)
        {
            return;
        }

        Volatile.Write(ref _degradedSince, _time.GetTimestamp());
        Interlocked.Exchange(ref _readsThisOutage, 0);
        BackplaneLog.DegradedStarted(_logger, workflows, silentReplica is null ? "Redis is silent" : $"API replica {silentReplica} is silent");
    }

    private void EndIfDegraded()
    {
        var since = Interlocked.Exchange(ref _degradedSince, 0);
        if (since == 0)
        {
            return;
        }

        BackplaneLog.DegradedEnded(_logger, _time.GetElapsedTime(since).TotalSeconds, Interlocked.Read(ref _readsThisOutage));
        _hub.OnReconnected();
    }
}
