using System.ComponentModel.DataAnnotations;

namespace Vapora.RealtimeGateway.Transport.EventStreams;

/// <summary>Server-Sent Events settings (section <c>Gateway</c>): heartbeats, the reconnect delay announced, workflows per stream.</summary>
public sealed class EventStreamOptions
{
    /// <summary>Configuration section (shared with the gateway's other options: the keys are the documented ones).</summary>
    public const string SectionName = "Gateway";

    /// <summary>
    /// A comment line is sent on every Server-Sent Events stream this often, so proxies do not cut an idle stream and
    /// clients can tell a quiet stream from a dead one (the JavaScript client gives up on one silent for 35 s).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan EventStreamHeartbeatInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// The <c>retry:</c> a Server-Sent Events stream announces: how long a browser's <c>EventSource</c> waits before it
    /// reconnects after the stream ends. Each stream announces a random value between half and all of it, so the
    /// streams of a drained or killed gateway do not all come back in the same instant.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:05:00")]
    public TimeSpan EventStreamRetry { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Most workflows one multiplexed Server-Sent Events stream (<c>/events</c>) may watch; more is a 400. A stream's
    /// workflows are its connection's subscriptions, so <c>Gateway:MaxSubscriptionsPerConnection</c> bounds it too.
    /// </summary>
    [Range(1, 10_000)]
    public int MaxWorkflowsPerEventStream { get; set; } = 100;
}
