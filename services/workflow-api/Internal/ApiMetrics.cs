using System.Diagnostics.Metrics;

namespace Vapora.WorkflowApi.Internal;

/// <summary>The API's own instruments (meter <c>Vapora.WorkflowApi</c>).</summary>
public sealed class ApiMetrics
{
    /// <summary>Meter name.</summary>
    public const string MeterName = "Vapora.WorkflowApi";

    private readonly Counter<long> _accepted;
    private readonly Counter<long> _published;
    private readonly Counter<long> _publishFailed;
    private readonly Counter<long> _storeErrors;
    private readonly Counter<long> _summaryRepairs;
    private readonly TimeProvider _time;
    private long _outboxBacklog;
    private long _outboxOldestUnixMs;

    /// <summary>Creates the instruments.</summary>
    public ApiMetrics(IMeterFactory meterFactory, TimeProvider time)
    {
        _time = time;
        var meter = meterFactory.Create(MeterName);
        _accepted = meter.CreateCounter<long>("vapora.api.updates.accepted", "{update}", "Updates stored (creates and PATCHes).");
        _published = meter.CreateCounter<long>("vapora.api.updates.published", "{update}", "Updates published to Redis, by path (request or relay).");
        _publishFailed = meter.CreateCounter<long>("vapora.api.publish.failures", "{update}", "Publishes that failed on the request path and were left to the outbox relay.");
        _storeErrors = meter.CreateCounter<long>("vapora.api.store.errors", "{call}",
            "Store calls that failed (timeout, store unreachable, unexpected), by operation.");
        _summaryRepairs = meter.CreateCounter<long>("vapora.api.summary.repairs", "{summary}",
            "Workflow summaries the outbox relay moved forward because the writer of an update could not.");
        // A counter is exported from its first measurement on; starting at 0 lets rate() see the first failure.
        _publishFailed.Add(0);
        _summaryRepairs.Add(0);
        meter.CreateObservableGauge("vapora.api.outbox.backlog", () => Interlocked.Read(ref _outboxBacklog), "{update}",
            "Stored but unpublished updates due for the relay: its latest batch, or, when that was full, the latest count of the whole backlog (up to 1,000,000).");
        meter.CreateObservableGauge("vapora.api.outbox.oldest_age", ObserveOutboxOldestAge, "s",
            "Age of the oldest stored but unpublished update due for the relay, since its API replica accepted it: the oldest in its latest batch, "
            + "or, when that was full, in the whole backlog as last measured; 0 when there was none.");
    }

    /// <summary>An update was stored.</summary>
    public void Accepted() => _accepted.Add(1);

    /// <summary>An update reached Redis.</summary>
    public void Published(bool relayed) => _published.Add(1, new KeyValuePair<string, object?>("path", relayed ? "relay" : "request"));

    /// <summary>A request-path publish failed.</summary>
    public void PublishFailed() => _publishFailed.Add(1);

    /// <summary>A store call failed.</summary>
    public void StoreError(string operation) => _storeErrors.Add(1, new KeyValuePair<string, object?>("operation", operation));

    /// <summary>The relay moved a summary that its writer had left behind.</summary>
    public void SummaryRepaired() => _summaryRepairs.Add(1);

    /// <summary>Records the backlog seen by a relay pass and when its oldest update was accepted (null: none).</summary>
    public void SetOutboxBacklog(long count, DateTimeOffset? oldestAcceptedAt)
    {
        Interlocked.Exchange(ref _outboxBacklog, count);
        Interlocked.Exchange(ref _outboxOldestUnixMs, oldestAcceptedAt?.ToUnixTimeMilliseconds() ?? 0);
    }

    // Computed when scraped, so the age keeps growing while the relay is stuck (no pass completes).
    private double ObserveOutboxOldestAge()
    {
        var oldest = Interlocked.Read(ref _outboxOldestUnixMs);
        return oldest == 0 ? 0 : Math.Max(0, _time.GetUtcNow().ToUnixTimeMilliseconds() - oldest) / 1000.0;
    }
}
