namespace Vapora.Bench.Cli;

/// <summary>How Vapora's clients watch their workflow.</summary>
internal enum ClientTransport
{
    /// <summary><c>/api/workflows/{id}/updates</c> as a WebSocket.</summary>
    WebSocket,

    /// <summary><c>/api/workflows/{id}/events</c> as Server-Sent Events (a long-lived HTTP/1.1 GET per client).</summary>
    Sse,
}
