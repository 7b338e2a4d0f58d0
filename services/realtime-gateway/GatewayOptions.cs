using System.ComponentModel.DataAnnotations;

namespace Vapora.RealtimeGateway;

/// <summary>Gateway settings (section <c>Gateway</c>). Every limit has a safe default.</summary>
public sealed class GatewayOptions
{
    /// <summary>Configuration section.</summary>
    public const string SectionName = "Gateway";

    /// <summary>Base URL of workflow-api, whose state and history endpoints are the update log (<c>Gateway__WorkflowApiUrl</c>).</summary>
    [Required]
    public Uri? WorkflowApiUrl { get; set; }

    /// <summary>Bearer token the gateway presents to workflow-api for state and history (a service token with <c>workflows:read</c>).</summary>
    public string? ApiAccessToken { get; set; }

    /// <summary>
    /// Origins (<c>https://app.example.com</c>) whose pages may open sockets and event streams (<c>*</c>: any). Empty: only
    /// pages of the gateway's own origin. Requests without an Origin header (non-browser clients) are not affected. Others
    /// get 403 before the upgrade or the stream. Event streams answer these origins with CORS headers.
    /// </summary>
    public string[] AllowedOrigins { get; set; } = [];

    /// <summary>Largest inbound WebSocket message; larger ones close the socket with 1009.</summary>
    [Range(128, 16 * 1024 * 1024)]
    public int MaxInboundMessageBytes { get; set; } = 64 * 1024;

    /// <summary>Largest message accepted from Redis; larger ones are dropped and counted (an update is a few hundred bytes).</summary>
    [Range(1024, 16 * 1024 * 1024)]
    public int MaxBackplaneMessageBytes { get; set; } = 64 * 1024;

    /// <summary>Frames a connection may have waiting to be sent; beyond it the client is closed as slow (4000) and resumes.</summary>
    [Range(8, 1_000_000)]
    public int SendQueueCapacity { get; set; } = 1024;

    /// <summary>
    /// Socket I/O continues on the thread that completed it instead of hopping to Kestrel's I/O queue: a frame written
    /// by a connection's writer goes to the socket on the same thread, one thread-pool hop less per frame (see
    /// docs/benchmarks.md). Safe because nothing on the gateway's socket path blocks a thread.
    /// </summary>
    public bool InlineSocketScheduling { get; set; } = true;

    /// <summary>Most workflows one multiplexed (<c>/ws</c>) connection may watch.</summary>
    [Range(1, 100_000)]
    public int MaxSubscriptionsPerConnection { get; set; } = 1000;

    /// <summary>Most connections (WebSocket and Server-Sent Events) this gateway serves; more are closed with 1013 (try again later).</summary>
    [Range(1, 10_000_000)]
    public int MaxConnections { get; set; } = 100_000;

    /// <summary>How long a workflow's Redis channel stays subscribed after its last local watcher left (avoids churn).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan UnsubscribeGracePeriod { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Recent updates kept per watched workflow, so resumes and late joiners catch up without asking the API.</summary>
    [Range(0, 100_000)]
    public int RecentUpdatesPerWorkflow { get; set; } = 128;

    /// <summary>History entries fetched per request when catching up or repairing a gap (the API allows up to 1000).</summary>
    [Range(1, 1000)]
    public int CatchUpPageSize { get; set; } = 1000;

    /// <summary>
    /// Concurrent resumes of a workflow share one history read per page (keyed by workflow and position), and what it
    /// returns seeds the workflow's recent updates, so later resumes are served from memory. Off: every resume reads
    /// its own pages, as before issue 18 (kept for comparison; see docs/benchmarks.md, reconnect storm).
    /// </summary>
    public bool CoalesceCatchUp { get; set; } = true;

    /// <summary>History reads for catch-up that may be in flight to the API at once (gap repairs have their own limit).</summary>
    [Range(1, 1000)]
    public int MaxConcurrentHistoryReads { get; set; } = 16;

    /// <summary>
    /// History reads that may wait for one of <see cref="MaxConcurrentHistoryReads"/>; a resume that would queue beyond
    /// it is refused (close 4002, or an <c>unavailable</c> error frame on /ws) and the client resumes after a backoff.
    /// </summary>
    [Range(0, 1_000_000)]
    public int HistoryReadQueueLimit { get; set; } = 1000;

    /// <summary>Server pings on idle sockets; a client that does not answer within the same time is dropped.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>How long a closing socket waits for the client's close reply (or a stuck send) before it is aborted.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:05:00")]
    public TimeSpan CloseTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How often each watched workflow is compared with the API even when nothing arrives, to catch an update whose
    /// publish was lost. Checks are spread out and rate-limited by <see cref="ConvergenceChecksPerSecond"/>.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan ConvergenceCheckInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Upper bound on convergence checks per second, across all workflows.</summary>
    [Range(1, 100_000)]
    public int ConvergenceChecksPerSecond { get; set; } = 50;

    /// <summary>On shutdown, sockets are closed with 1001 in waves spread over this window (keep the pod's grace period longer).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan DrainWindow { get; set; } = TimeSpan.FromSeconds(10);

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
    /// workflows are its connection's subscriptions, so <see cref="MaxSubscriptionsPerConnection"/> bounds it too.
    /// </summary>
    [Range(1, 10_000)]
    public int MaxWorkflowsPerEventStream { get; set; } = 100;

    /// <summary>Gap repairs and resyncs that may call the API at once.</summary>
    [Range(1, 1000)]
    public int MaxConcurrentRepairs { get; set; } = 16;
}
