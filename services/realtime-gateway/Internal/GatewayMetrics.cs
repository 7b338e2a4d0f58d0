using System.Diagnostics.Metrics;

namespace Vapora.RealtimeGateway.Internal;

/// <summary>The gateway's instruments (meter <c>Vapora.RealtimeGateway</c>); see the README's metrics table.</summary>
internal sealed class GatewayMetrics
{
    public const string MeterName = "Vapora.RealtimeGateway";

    /// <summary>Every reason a backplane message is dropped for (the <c>reason</c> tag of <c>vapora.gateway.messages.dropped</c>).</summary>
    private static readonly string[] DropReasons = ["duplicate", "malformed", "oversized", "unwatched", "empty", "failed"];

    /// <summary>Why a subscription was reset (the <c>reason</c> tag of <c>vapora.gateway.resets</c>).</summary>
    private static readonly string[] ResetReasons = ["compacted", "ahead", "rewound"];

    /// <summary>Why a read of the API failed (the <c>reason</c> tag of <c>vapora.gateway.api_reads.failed</c>).</summary>
    private static readonly string[] ApiReadFailures = ["timeout", "unreachable", "status", "malformed"];

    private readonly Meter _meter;
    private readonly Counter<long> _received;
    private readonly Counter<long> _forwarded;
    private readonly Counter<long> _dropped;
    private readonly Counter<long> _sent;
    private readonly Counter<long> _batches;
    private readonly Counter<long> _slowConsumers;
    private readonly Counter<long> _conflated;
    private readonly Counter<long> _gapRepairs;
    private readonly Counter<long> _resumes;
    private readonly Counter<long> _resets;
    private readonly Counter<long> _reconnects;
    private readonly Counter<long> _historyReads;
    private readonly Counter<long> _historyReadsCoalesced;
    private readonly Counter<long> _historyReadsRefused;
    private readonly Counter<long> _inboundRejected;
    private readonly Counter<long> _tokenRefreshes;
    private readonly Counter<long> _tokenRefreshUnsubscribed;
    private readonly Counter<long> _apiReadsFailed;
    private readonly Histogram<double> _fanOutLag;
    private readonly Histogram<double> _sendLag;
    private readonly Histogram<double> _admissionWait;

    public GatewayMetrics(IMeterFactory meterFactory)
    {
        _meter = meterFactory.Create(MeterName);
        _received = _meter.CreateCounter<long>("vapora.gateway.messages.received", "{message}", "Messages received from Redis.");
        _forwarded = _meter.CreateCounter<long>("vapora.gateway.messages.forwarded", "{frame}", "Update frames queued to client connections (one per watcher).");
        _dropped = _meter.CreateCounter<long>("vapora.gateway.messages.dropped", "{message}", "Backplane messages dropped, by reason (duplicate, malformed, oversized, unwatched, empty, failed).");
        _sent = _meter.CreateCounter<long>("vapora.gateway.frames.sent", "{frame}", "Frames written to client sockets.");
        _batches = _meter.CreateCounter<long>("vapora.gateway.frames.batches", "{write}",
            "Batches of frames a connection's writer sent with one flush: frames that piled up go out together (Gateway:WriteBatchFrames), so frames.sent over this is frames per socket write (HTTP/2 sockets still write each frame on its own).");
        _conflated = _meter.CreateCounter<long>("vapora.gateway.messages.conflated", "{frame}", "Queued progress frames replaced by a newer one because their client fell behind.");
        _slowConsumers = _meter.CreateCounter<long>("vapora.gateway.slow_consumers.closed", "{connection}", "Connections closed because they stopped reading: the send queue overflowed, or an event stream wrote nothing for a heartbeat interval with frames waiting.");
        _gapRepairs = _meter.CreateCounter<long>("vapora.gateway.gap_repairs", "{update}", "Updates recovered from the API's history after a gap or a reconnect.");
        _resumes = _meter.CreateCounter<long>("vapora.gateway.resumes", "{subscription}", "Subscriptions that resumed after a version.");
        _resets = _meter.CreateCounter<long>("vapora.gateway.resets", "{subscription}",
            "Subscriptions that could not be continued gap-free and got the current state marked as a reset, by reason (compacted: the history after their position is gone; ahead: they were ahead of the store).");
        _reconnects = _meter.CreateCounter<long>("vapora.gateway.redis.reconnects", "{event}", "Redis connections restored.");
        _historyReads = _meter.CreateCounter<long>("vapora.gateway.catchup.history_reads", "{request}",
            "History pages requested from the API to catch up resuming subscriptions (one request serves every resume of the same workflow and position waiting for it).");
        _historyReadsCoalesced = _meter.CreateCounter<long>("vapora.gateway.catchup.coalesced", "{subscription}",
            "Resumes that shared a history read already in flight instead of making their own.");
        _historyReadsRefused = _meter.CreateCounter<long>("vapora.gateway.catchup.refused", "{read}",
            "Catch-up history reads refused because as many as allowed were in flight and queued (the resumes closed with 4002 or got an unavailable error frame).");
        _inboundRejected = _meter.CreateCounter<long>("vapora.gateway.inbound.rejected", "{message}", "Inbound client messages rejected, by reason.");
        _tokenRefreshes = _meter.CreateCounter<long>("vapora.gateway.token_refreshes", "{refresh}",
            "Tokens sent in-band on open sockets, by result (accepted; refused: invalid, expired or another subject; unavailable: the issuer's keys could not be fetched).");
        _apiReadsFailed = _meter.CreateCounter<long>("vapora.gateway.api_reads.failed", "{read}",
            "Reads of the API's state or history that failed after their retries, by reason (timeout: a silent or slow API; unreachable: refused or reset; status: a 5xx or other error answer; malformed: an answer that is not the API's JSON).");
        _tokenRefreshUnsubscribed = _meter.CreateCounter<long>("vapora.gateway.token_refresh.unsubscribed", "{subscription}",
            "Subscriptions ended because a refreshed token no longer allows their workflow.");
        var latencyBuckets = new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.25, 0.5, 1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000] };
        _fanOutLag = _meter.CreateHistogram("vapora.gateway.fanout.duration", "ms", "Time from receiving an update from Redis to queueing it on every local watcher.", advice: latencyBuckets);
        _sendLag = _meter.CreateHistogram("vapora.gateway.publish_to_send.lag", "ms",
            "Time from the API accepting an update (its timestamp) to the gateway writing it to a client socket; live updates only (clocks of API and gateway must agree).",
            advice: latencyBuckets);
        _admissionWait = _meter.CreateHistogram("vapora.gateway.admission.wait", "ms",
            "How long connections that arrived while as many as allowed were being admitted waited for their turn (Gateway:MaxConcurrentAdmissions).",
            advice: latencyBuckets);
    }

    /// <summary>Registers the gauge of connections waiting for their turn to be admitted (wired once at start-up).</summary>
    public void ObserveAdmissions(Func<long> waiting) =>
        _meter.CreateObservableGauge("vapora.gateway.admission.waiting", waiting, "{connection}",
            "Connections waiting for their turn to be admitted (Gateway:MaxConcurrentAdmissions).");

    public void AdmissionWaited(TimeSpan wait) => _admissionWait.Record(wait.TotalMilliseconds);

    /// <summary>Registers the gauges of watched workflows and Redis channels (wired once at start-up).</summary>
    public void ObserveTopics(Func<int> watchedWorkflows, Func<int> subscribedChannels)
    {
        _meter.CreateObservableGauge("vapora.gateway.workflows.watched", watchedWorkflows, "{workflow}", "Workflows with at least one local watcher (or in their unsubscribe grace period).");
        _meter.CreateObservableGauge("vapora.gateway.redis.channels", subscribedChannels, "{channel}", "Redis channels subscribed.");
    }

    /// <summary>Registers the gauge of the recent frames' log (wired once at start-up).</summary>
    public void ObserveRecentFrames(Func<long> allocatedBytes) =>
        _meter.CreateObservableGauge("vapora.gateway.recent_frames.memory", allocatedBytes, "By",
            "Memory of the log that holds the recent updates' bytes for resumes (Gateway:RecentFramesMaxBytes at most).");

    /// <summary>Registers the gauges of open connections (wired once at start-up).</summary>
    public void ObserveConnections(Func<int> connections, Func<IEnumerable<(string Transport, int Count)>> byTransport, Func<int> limit,
        Func<long> queuedFrames, Func<long> subscriptions)
    {
        _meter.CreateObservableGauge("vapora.gateway.connections", connections, "{connection}", "Open client connections, WebSocket and Server-Sent Events.");
        _meter.CreateObservableGauge("vapora.gateway.connections.by_transport",
            () => byTransport().Select(c => new Measurement<int>(c.Count, new KeyValuePair<string, object?>("transport", c.Transport))),
            "{connection}", "Open client connections by transport (websocket, sse).");
        _meter.CreateObservableGauge("vapora.gateway.connections.limit", limit, "{connection}", "Most client connections (of any transport) this gateway accepts (Gateway:MaxConnections).");
        _meter.CreateObservableGauge("vapora.gateway.send_queue.depth", queuedFrames, "{frame}", "Frames waiting in all send queues.");
        _meter.CreateObservableGauge("vapora.gateway.subscriptions", subscriptions, "{subscription}", "Workflow subscriptions over all connections.");
    }

    public void MessageReceived() => _received.Add(1);

    public void Forwarded(int watchers, TimeSpan lag)
    {
        if (watchers > 0)
        {
            _forwarded.Add(watchers);
        }

        _fanOutLag.Record(lag.TotalMilliseconds);
    }

    public void MessageDropped(string reason) => _dropped.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void FrameSent(long acceptedAtUnixMs, TimeProvider time)
    {
        _sent.Add(1);
        if (acceptedAtUnixMs > 0)
        {
            _sendLag.Record(Math.Max(0, time.GetUtcNow().ToUnixTimeMilliseconds() - acceptedAtUnixMs));
        }
    }

    /// <summary>A batch of frames (one or more) went out in one write.</summary>
    public void FramesFlushed() => _batches.Add(1);

    public void SlowConsumerClosed() => _slowConsumers.Add(1);

    public void Conflated() => _conflated.Add(1);

    public void GapRepaired(int updates) => _gapRepairs.Add(updates);

    /// <summary>
    /// A counter is exported from its first measurement on; starting the ones alerts and dashboards watch at 0 lets
    /// rate() see the first event after a restart. Call once the meter provider listens (GatewayStartup): a
    /// measurement taken before that is lost.
    /// </summary>
    public void StartCountersAtZero()
    {
        _gapRepairs.Add(0);
        _slowConsumers.Add(0);
        _historyReads.Add(0);
        _historyReadsCoalesced.Add(0);
        _historyReadsRefused.Add(0);
        foreach (var reason in ResetReasons)
        {
            _resets.Add(0, new KeyValuePair<string, object?>("reason", reason));
        }

        foreach (var reason in DropReasons)
        {
            _dropped.Add(0, new KeyValuePair<string, object?>("reason", reason));
        }

        foreach (var reason in ApiReadFailures)
        {
            _apiReadsFailed.Add(0, new KeyValuePair<string, object?>("reason", reason));
        }
    }

    /// <summary>A read of the API failed for <paramref name="reason"/> (timeout, unreachable, status, malformed).</summary>
    public void ApiReadFailed(string reason) => _apiReadsFailed.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void Resumed() => _resumes.Add(1);

    /// <summary><paramref name="subscriptions"/> got the state marked as a reset, for <paramref name="reason"/> (compacted, ahead, rewound).</summary>
    public void Reset(string reason, int subscriptions)
    {
        if (subscriptions > 0)
        {
            _resets.Add(subscriptions, new KeyValuePair<string, object?>("reason", reason));
        }
    }

    public void HistoryRead() => _historyReads.Add(1);

    public void HistoryReadCoalesced() => _historyReadsCoalesced.Add(1);

    public void HistoryReadRefused() => _historyReadsRefused.Add(1);

    public void BackplaneReconnected() => _reconnects.Add(1);

    public void InboundRejected(string reason) => _inboundRejected.Add(1, new KeyValuePair<string, object?>("reason", reason));

    /// <summary>A token refresh ended with <paramref name="result"/> (accepted, refused, unavailable), ending <paramref name="unsubscribed"/> subscriptions.</summary>
    public void TokenRefreshed(string result, int unsubscribed)
    {
        _tokenRefreshes.Add(1, new KeyValuePair<string, object?>("result", result));
        if (unsubscribed > 0)
        {
            _tokenRefreshUnsubscribed.Add(unsubscribed);
        }
    }
}
