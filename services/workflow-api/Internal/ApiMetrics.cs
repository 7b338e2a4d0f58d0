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
    private long _outboxBacklog;

    /// <summary>Creates the instruments.</summary>
    public ApiMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _accepted = meter.CreateCounter<long>("vapora.api.updates.accepted", "{update}", "Updates stored (creates and PATCHes).");
        _published = meter.CreateCounter<long>("vapora.api.updates.published", "{update}", "Updates published to Redis, by path (request or relay).");
        _publishFailed = meter.CreateCounter<long>("vapora.api.publish.failures", "{update}", "Publishes that failed on the request path and were left to the outbox relay.");
        _storeErrors = meter.CreateCounter<long>("vapora.api.store.errors", "{error}",
            "Store calls that failed (timeout, store unreachable, unexpected), by operation.");
        _summaryRepairs = meter.CreateCounter<long>("vapora.api.summary.repairs", "{summary}",
            "Workflow summaries the outbox relay moved forward because the writer of an update did not.");
        meter.CreateObservableGauge("vapora.api.outbox.backlog", () => Interlocked.Read(ref _outboxBacklog), "{update}",
            "Stored but unpublished updates found by the latest relay pass (capped at the batch size).");
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

    /// <summary>Records the backlog seen by a relay pass.</summary>
    public void SetOutboxBacklog(long count) => Interlocked.Exchange(ref _outboxBacklog, count);
}
