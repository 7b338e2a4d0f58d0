using System.Net.WebSockets;

namespace Vapora.Client;

/// <summary>How a <see cref="WorkflowStreamClient"/> connects and reconnects.</summary>
public sealed class WorkflowClientOptions
{
    /// <summary>
    /// Base URL of the gateways, usually the load balancer: <c>ws://host:8080</c> or <c>wss://…</c>
    /// (<c>http</c>/<c>https</c> are turned into <c>ws</c>/<c>wss</c>).
    /// </summary>
    public required Uri BaseUrl { get; init; }

    /// <summary>Reconnect attempts in a row (without a frame in between) before giving up; null retries forever.</summary>
    public int? MaxReconnectAttempts { get; init; } = 20;

    /// <summary>Delay before the first reconnect; doubles with every failed attempt.</summary>
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Longest delay between attempts.</summary>
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Protocol pings; a server that does not answer within the same time is considered gone and the client reconnects.</summary>
    public TimeSpan KeepAliveInterval { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>How long one connection attempt may take.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>A bearer token sent on the upgrade request (<c>Authorization: Bearer …</c>), when the gateways require one.</summary>
    public string? AccessToken { get; init; }

    /// <summary>Clock for backoff delays (a fake one in tests).</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Source of backoff jitter (seed it in tests).</summary>
    public Random Random { get; init; } = Random.Shared;

    /// <summary>Opens a socket; replaceable in tests. The default is <see cref="ClientWebSocket"/>.</summary>
    internal Func<Uri, WorkflowClientOptions, CancellationToken, Task<WebSocket>>? Connect { get; init; }
}
