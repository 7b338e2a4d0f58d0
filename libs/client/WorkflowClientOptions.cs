using System.Net.WebSockets;
using Vapora.Client.Transports;

namespace Vapora.Client;

/// <summary>How a <see cref="WorkflowStreamClient"/> connects and reconnects.</summary>
public sealed class WorkflowClientOptions
{
    /// <summary>
    /// Base URL of the gateways, usually the load balancer: <c>ws://host:8080</c> or <c>https://…</c> (WebSockets use
    /// <c>ws</c>/<c>wss</c> and Server-Sent Events <c>http</c>/<c>https</c>, whichever is given).
    /// </summary>
    public required Uri BaseUrl { get; init; }

    /// <summary>
    /// The transports to use, in order of preference: WebSocket, then Server-Sent Events. After
    /// <see cref="FallbackAfter"/> connections in a row that the gateway never answered on, the stream moves to the next
    /// one at once (and from the last back to the first); it stays on a transport that works.
    /// </summary>
    public IReadOnlyList<StreamTransport> Transports { get; init; } = [StreamTransport.WebSocket, StreamTransport.ServerSentEvents];

    /// <summary>Unanswered connections in a row on one transport before the stream moves to the next.</summary>
    public int FallbackAfter { get; init; } = 3;

    /// <summary>The HTTP client for Server-Sent Events (its timeout must be infinite); null: a shared one of this library.</summary>
    public HttpClient? HttpClient { get; init; }

    /// <summary>Reconnect attempts in a row (without a frame in between) before giving up; null retries forever.</summary>
    public int? MaxReconnectAttempts { get; init; } = 20;

    /// <summary>Delay before the first reconnect; doubles with every failed attempt.</summary>
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Longest delay between attempts.</summary>
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// WebSocket protocol pings; a server that does not answer within the same time is considered gone and the client
    /// reconnects: a gateway behind a link that went silent (no FIN, no RST, bytes just stop) is left within about three
    /// times this (the socket checks for the pong at its next keep-alive tick): 10.2 s measured with the default.
    /// </summary>
    public TimeSpan KeepAliveInterval { get; init; } = TimeSpan.FromSeconds(4);

    /// <summary>
    /// An event stream silent for this long (not even the gateway's heartbeat, every 15 s by default) is considered
    /// gone and the client reconnects.
    /// </summary>
    public TimeSpan EventStreamSilenceTimeout { get; init; } = TimeSpan.FromSeconds(25);

    /// <summary>How long one connection attempt may take.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>A bearer token sent with every connection (<c>Authorization: Bearer …</c>), when the gateways require one.</summary>
    public string? AccessToken { get; init; }

    /// <summary>
    /// Gives a fresh bearer token; takes the place of <see cref="AccessToken"/>. Called for every connection, and ahead
    /// of a socket's token expiry (at 80% of its lifetime but at least 5 s before expiry, or when the gateway sends
    /// <c>token_expiring</c>) for a token sent in-band on the open socket, so the stream never reconnects for a token.
    /// Failures are reported (<see cref="WorkflowStream.TokenRefreshFailed"/>); if none succeeds before expiry, the
    /// gateway closes with 4401 and the stream reconnects with the next token this gives. An event stream cannot send a
    /// token: it reconnects at expiry and resumes. A token refused before the gateway ever answered is tried again only
    /// with another token: this giving the refused one again ends the stream with 4401.
    /// </summary>
    public Func<CancellationToken, ValueTask<string>>? AccessTokenProvider { get; init; }

    /// <summary>Clock for backoff delays (a fake one in tests).</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Source of backoff jitter (seed it in tests).</summary>
    public Random Random { get; init; } = Random.Shared;

    /// <summary>Opens a socket; replaceable in tests. The default is <see cref="ClientWebSocket"/>.</summary>
    internal Func<Uri, ConnectionSettings, CancellationToken, Task<WebSocket>>? Connect { get; init; }

    /// <summary>What the transports need of these options to open a connection.</summary>
    internal ConnectionSettings ConnectionSettings => new(AccessToken, KeepAliveInterval, EventStreamSilenceTimeout, HttpClient, Connect);
}
