using System.ComponentModel.DataAnnotations;

namespace Vapora.RealtimeGateway.Connections;

/// <summary>Client connections of every transport (section <c>Gateway</c>): who may connect, limits, queues, closing and drain.</summary>
public sealed class ConnectionOptions
{
    /// <summary>Configuration section (shared with the gateway's other options: the keys are the documented ones).</summary>
    public const string SectionName = "Gateway";

    /// <summary>
    /// Origins (<c>https://app.example.com</c>, scheme, host and port compared) whose pages may open sockets and event
    /// streams (<c>*</c>: any). Empty: only pages of the gateway's own origin. Requests without an Origin header (non-browser clients) are not affected. Others
    /// get 403 before the upgrade or the stream. Event streams answer these origins with CORS headers.
    /// </summary>
    public string[] AllowedOrigins { get; set; } = [];

    /// <summary>Frames a connection may have waiting to be sent; beyond it the client is closed as slow (4000) and resumes.</summary>
    [Range(8, 1_000_000)]
    public int SendQueueCapacity { get; set; } = 1024;

    /// <summary>Most workflows one multiplexed (<c>/ws</c>) connection may watch.</summary>
    [Range(1, 100_000)]
    public int MaxSubscriptionsPerConnection { get; set; } = 1000;

    /// <summary>Most connections (WebSocket and Server-Sent Events) this gateway serves; more are closed with 1013 (try again later).</summary>
    [Range(1, 10_000_000)]
    public int MaxConnections { get; set; } = 100_000;

    /// <summary>
    /// Most connections one token subject (<c>sub</c>) may hold on this gateway; more are closed with 1013 (event streams:
    /// 503). Keeps one token from using up <see cref="MaxConnections"/>. Tokens without <c>sub</c> share one count;
    /// with authentication off there is no subject and no such limit.
    /// </summary>
    [Range(1, 10_000_000)]
    public int MaxConnectionsPerSubject { get; set; } = 1000;

    /// <summary>
    /// Most connections one client address may hold on this gateway (0: no limit, the default: behind a load balancer
    /// every client has its address unless the gateway is told the forwarded one, see docs/operations.md). More are
    /// closed with 1013 (event streams: 503).
    /// </summary>
    [Range(0, 10_000_000)]
    public int MaxConnectionsPerAddress { get; set; }

    /// <summary>
    /// Most connections admitted at a time, from before the upgrade until their first subscribe has caught up (a
    /// <c>/ws</c> socket, whose subscribes come later as messages: until the upgrade; 0: no pacing). When many arrive at once (the clients of a gateway that died resuming here) the others wait their
    /// turn, so that handshakes and catch-up do not delay the live frames of the connections already here.
    /// </summary>
    [Range(0, 100_000)]
    public int MaxConcurrentAdmissions { get; set; } = 16;

    /// <summary>
    /// Longest a connection's first subscribe holds its turn to be admitted. One that takes longer is waiting (for the
    /// API's history, typically), not using the CPU, so the next connection goes in: a slow API does not hold up the
    /// connections that do not need it.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:05:00")]
    public TimeSpan AdmissionHoldLimit { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Most connections waiting for their turn to be admitted; more are answered 503 with Retry-After.</summary>
    [Range(0, 1_000_000)]
    public int AdmissionQueueLimit { get; set; } = 10_000;

    /// <summary>Longest a connection waits for its turn to be admitted before it is answered 503 with Retry-After.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:05:00")]
    public TimeSpan AdmissionQueueTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>A connection that watches no workflow for this long is closed with 1001 (it reconnects when it has something to watch).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan IdleConnectionTimeout { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Failed subscribes (unknown or forbidden workflow, already subscribed, over the limit) a connection may make in a
    /// burst; beyond it subscribes are refused with <c>rate_limited</c> until the budget refills.
    /// </summary>
    [Range(1, 100_000)]
    public int FailedSubscribeBudget { get; set; } = 20;

    /// <summary>How often one failed subscribe is given back to a connection's budget.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "01:00:00")]
    public TimeSpan FailedSubscribeRefill { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Most frames a connection's writer sends in one socket write. Frames that are already queued when the writer gets
    /// to them go out together (a client that keeps up has one frame at a time and gets it at once); under load this is
    /// what makes the cost per frame fall. 1: one write per frame.
    /// </summary>
    [Range(1, 1024)]
    public int WriteBatchFrames { get; set; } = 64;

    /// <summary>How long a workflow found missing is answered "not found" without asking Redis and the API again (0: not remembered).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:05:00")]
    public TimeSpan NotFoundCacheDuration { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Server pings on idle sockets; a client that does not answer within the same time is dropped. A catch-up that
    /// waits for room in a queue whose client wrote nothing for this long closes it as slow (4000) too.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>
    /// How long before a socket's token expires the gateway sends <c>token_expiring</c>, so that the client sends a
    /// fresh token in-band; at most a fifth of the token's lifetime (a short token is not told at once). Zero: no notice.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan TokenExpiringNotice { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a closing socket waits for the client's close reply (or a stuck send) before it is aborted.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:05:00")]
    public TimeSpan CloseTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>On shutdown, sockets are closed with 1001 in waves spread over this window (keep the pod's grace period longer).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan DrainWindow { get; set; } = TimeSpan.FromSeconds(10);
}
