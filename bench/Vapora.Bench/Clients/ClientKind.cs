namespace Vapora.Bench.Clients;

/// <summary>What a client speaks.</summary>
internal enum ClientKind
{
    /// <summary>A Vapora stream (<c>/api/workflows/{id}/updates</c>): its first frame is the state.</summary>
    Vapora,

    /// <summary>A Vapora event stream (<c>/api/workflows/{id}/events</c>, Server-Sent Events): its first event is the state.</summary>
    VaporaEvents,

    /// <summary>The ceiling app's socket: no first frame.</summary>
    Ceiling,

    /// <summary>SignalR's JSON hub protocol on a plain WebSocket.</summary>
    SignalRRaw,

    /// <summary>A SignalR HubConnection.</summary>
    SignalRHub,
}
