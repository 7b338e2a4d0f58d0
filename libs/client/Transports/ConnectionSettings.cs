using System.Net.WebSockets;

namespace Vapora.Client.Transports;

/// <summary>What opening one connection needs of the client's options (the transports do not see the options themselves).</summary>
/// <param name="AccessToken">The bearer token sent with the connection, when the gateways require one.</param>
/// <param name="KeepAliveInterval">WebSocket pings, and how long a pong may take.</param>
/// <param name="EventStreamSilenceTimeout">An event stream silent for this long is considered gone.</param>
/// <param name="HttpClient">The HTTP client for event streams; null: a shared one.</param>
/// <param name="Connect">Opens a socket (replaced in tests); null: a <see cref="ClientWebSocket"/>.</param>
internal sealed record ConnectionSettings(
    string? AccessToken,
    TimeSpan KeepAliveInterval,
    TimeSpan EventStreamSilenceTimeout,
    HttpClient? HttpClient,
    Func<Uri, ConnectionSettings, CancellationToken, Task<WebSocket>>? Connect);
