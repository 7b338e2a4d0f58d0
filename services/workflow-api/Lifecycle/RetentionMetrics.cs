using System.Diagnostics.Metrics;
using Vapora.WorkflowApi.Internal;
using Vapora.WorkflowApi.Persistence;

namespace Vapora.WorkflowApi.Lifecycle;

/// <summary>What the retention sweep did and how far behind it is (meter <c>Vapora.WorkflowApi</c>).</summary>
public sealed class RetentionMetrics
{
    private readonly Counter<long> _workflows;
    private readonly Counter<long> _entries;
    private readonly Counter<long> _keys;
    private readonly Histogram<double> _duration;
    private readonly TimeProvider _time;
    private long _dueSinceUnixMs;

    /// <summary>Creates the instruments.</summary>
    public RetentionMetrics(IMeterFactory meterFactory, TimeProvider time)
    {
        _time = time;
        var meter = meterFactory.Create(ApiMetrics.MeterName);
        _workflows = meter.CreateCounter<long>("vapora.api.retention.workflows", "{workflow}",
            "Terminal workflows the retention sweep compacted (action=compacted) or deleted (action=deleted).");
        _entries = meter.CreateCounter<long>("vapora.api.retention.entries_removed", "{entry}",
            "Update log entries the retention sweep removed, by action (compacted, deleted).");
        _keys = meter.CreateCounter<long>("vapora.api.retention.keys_expired", "{key}",
            "Expired idempotency keys the retention sweep deleted (MongoDB's TTL index deletes most of its own).");
        // Seconds, not the exporter's millisecond-sized defaults: a sweep takes milliseconds to minutes.
        _duration = meter.CreateHistogram<double>("vapora.api.retention.sweep.duration", "s",
            "How long each retention sweep took, on the replica holding the retention-sweep lease.", tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.025, 0.1, 0.25, 1, 2.5, 10, 30, 60, 300] });
        foreach (var action in new[] { "compacted", "deleted" })
        {
            _workflows.Add(0, new KeyValuePair<string, object?>("action", action));
            _entries.Add(0, new KeyValuePair<string, object?>("action", action));
        }

        _keys.Add(0);
        meter.CreateObservableGauge("vapora.api.retention.lag", ObserveLag, "s",
            "How long the most overdue terminal workflow has been due for compaction or deletion and is still not done (0 when none); "
            + "measured by every replica once per Retention:SweepInterval.");
    }

    /// <summary>A batch compacted or deleted.</summary>
    public void Swept(RetentionStage stage, RetentionResult result)
    {
        var action = new KeyValuePair<string, object?>("action", stage == RetentionStage.Compact ? "compacted" : "deleted");
        _workflows.Add(result.Workflows, action);
        _entries.Add(result.Entries, action);
    }

    /// <summary>Expired keys deleted.</summary>
    public void KeysExpired(long count) => _keys.Add(count);

    /// <summary>A sweep finished in <paramref name="duration"/>.</summary>
    public void SweepTook(TimeSpan duration) => _duration.Record(duration.TotalSeconds);

    /// <summary>Since when the most overdue workflow has been due (null: none is).</summary>
    public void SetDueSince(DateTimeOffset? dueSince) => Interlocked.Exchange(ref _dueSinceUnixMs, dueSince?.ToUnixTimeMilliseconds() ?? 0);

    // Computed when scraped, so the lag keeps growing while no sweep gets anything done.
    private double ObserveLag()
    {
        var since = Interlocked.Read(ref _dueSinceUnixMs);
        return since == 0 ? 0 : Math.Max(0, _time.GetUtcNow().ToUnixTimeMilliseconds() - since) / 1000.0;
    }
}
