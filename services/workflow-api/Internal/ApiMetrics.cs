using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Vapora.WorkflowApi.Internal;

/// <summary>The API's own instruments (meter <c>Vapora.WorkflowApi</c>).</summary>
public sealed class ApiMetrics
{
    /// <summary>Meter name.</summary>
    public const string MeterName = "Vapora.WorkflowApi";

    /// <summary><c>kind</c> of a store error that retrying can cure: the store unreachable, slow or electing (503).</summary>
    public const string Outage = "outage";

    /// <summary><c>kind</c> of a store error that retrying cannot cure: refused, misconfigured, unreadable (500, pages).</summary>
    public const string Defect = "defect";

    /// <summary>The <c>operation</c>s of <c>vapora.api.store.errors</c>: the store calls, and requests past their deadline.</summary>
    public static readonly IReadOnlyList<string> StoreOperations =
    [
        "append", "read_latest", "read_newest", "read_range", "upsert_summary", "list_summaries", "outbox_scan", "outbox_count",
        "mark_published", "find_key", "claim_key", "replan_key", "expire_keys", "lease", "retention_scan", "compact", "delete",
        "request_deadline",
    ];

    private readonly Counter<long> _accepted;
    private readonly Counter<long> _published;
    private readonly Counter<long> _publishFailed;
    private readonly Counter<long> _storeErrors;
    private readonly Histogram<double> _storeDuration;
    private readonly Counter<long> _summaryRepairs;
    private readonly Counter<long> _leasesAcquired;
    private readonly ConcurrentDictionary<string, int> _leasesHeld = new(StringComparer.Ordinal);
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
            "Store calls that failed, by operation and kind: outage (timeout, store unreachable or electing: 503) or defect (refused, unreadable: 500).");
        // Buckets for a database call: 0.5 ms (memory, SQLite in the page cache) to 5 s (Storage:OperationTimeout's default).
        _storeDuration = meter.CreateHistogram("vapora.api.store.duration", "s",
            "Time of each store call, answered or failed, by operation (its count: store calls per operation).",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5] });
        _summaryRepairs = meter.CreateCounter<long>("vapora.api.summary.repairs", "{summary}",
            "Workflow summaries the outbox relay moved forward because the writer of an update could not.");
        _leasesAcquired = meter.CreateCounter<long>("vapora.api.lease.acquired", "{lease}",
            "Times this replica took a lease it did not hold, by lease (outbox-relay, retention-sweep).");
        // A counter is exported from its first measurement on; starting at 0 lets rate() see the first failure.
        _publishFailed.Add(0);
        _summaryRepairs.Add(0);
        foreach (var operation in StoreOperations)
        {
            // Every series at 0, so that the first defect of an operation shows in increase() (it pages).
            _storeErrors.Add(0, new KeyValuePair<string, object?>("operation", operation), new KeyValuePair<string, object?>("kind", Defect));
            _storeErrors.Add(0, new KeyValuePair<string, object?>("operation", operation), new KeyValuePair<string, object?>("kind", Outage));
        }

        meter.CreateObservableGauge("vapora.api.outbox.backlog", () => Interlocked.Read(ref _outboxBacklog), "{update}",
            "Stored but unpublished updates due for the relay: its latest batch, or, when that was full, the latest count of the whole backlog (up to 1,000,000). "
            + "Measured by the replica holding the outbox-relay lease; 0 on the others.");
        meter.CreateObservableGauge("vapora.api.outbox.oldest_age", ObserveOutboxOldestAge, "s",
            "Age of the oldest stored but unpublished update due for the relay, since its API replica accepted it: the oldest in its latest batch, "
            + "or, when that was full, in the whole backlog as last measured; 0 when there was none, and on replicas not holding the outbox-relay lease.");
        meter.CreateObservableGauge("vapora.api.lease.held", ObserveLeasesHeld, "{lease}",
            "1 while this replica holds the lease (outbox-relay: it relays the outbox; retention-sweep: it sweeps), else 0.");
    }

    /// <summary>An update was stored.</summary>
    public void Accepted() => _accepted.Add(1);

    /// <summary>An update reached Redis.</summary>
    public void Published(bool relayed) => _published.Add(1, new KeyValuePair<string, object?>("path", relayed ? "relay" : "request"));

    /// <summary>A request-path publish failed.</summary>
    public void PublishFailed() => _publishFailed.Add(1);

    /// <summary>A store call failed; <paramref name="kind"/> is <see cref="Outage"/> or <see cref="Defect"/>.</summary>
    public void StoreError(string operation, string kind) =>
        _storeErrors.Add(1, new KeyValuePair<string, object?>("operation", operation), new KeyValuePair<string, object?>("kind", kind));

    /// <summary>A store call of <paramref name="operation"/> took <paramref name="elapsed"/>, whatever its outcome.</summary>
    public void StoreCall(string operation, TimeSpan elapsed) =>
        _storeDuration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("operation", operation));

    /// <summary>The relay moved a summary that its writer had left behind.</summary>
    public void SummaryRepaired() => _summaryRepairs.Add(1);

    /// <summary>Whether this replica holds <paramref name="lease"/> now; counts a lease taken that was not held.</summary>
    public void LeaseHeld(string lease, bool held)
    {
        var before = _leasesHeld.GetValueOrDefault(lease);
        _leasesHeld[lease] = held ? 1 : 0;
        if (held && before == 0)
        {
            _leasesAcquired.Add(1, new KeyValuePair<string, object?>("lease", lease));
        }
    }

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

    private IEnumerable<Measurement<int>> ObserveLeasesHeld() =>
        _leasesHeld.Select(l => new Measurement<int>(l.Value, new KeyValuePair<string, object?>("lease", l.Key)));
}
