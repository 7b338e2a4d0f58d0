namespace Vapora.Client;

/// <summary>How a stream reaches the gateways.</summary>
public enum StreamTransport
{
    /// <summary><c>/api/workflows/{id}/updates</c> upgraded to a WebSocket.</summary>
    WebSocket,

    /// <summary><c>/api/workflows/{id}/events</c> as Server-Sent Events: a plain long-lived GET, for networks whose proxies break WebSockets.</summary>
    ServerSentEvents,
}
