namespace Vapora.Bench.Cli;

/// <summary>How the harness's SignalR clients are written.</summary>
internal enum SignalRClient
{
    /// <summary>
    /// The JSON hub protocol on a plain WebSocket, read like a Vapora frame: the server does the same work as for a
    /// HubConnection, and the harness no more than for any other client. The default: at tens of thousands of messages
    /// per second HubConnection clients saturate the harness before the server.
    /// </summary>
    Raw,

    /// <summary>HubConnection with a typed handler, as an application would write it.</summary>
    Hub,
}
