namespace Vapora.RealtimeGateway.Connections;

/// <summary>
/// What a transport is, as it declares itself when it is registered (in the manner of centrifuge's <c>TransportInfo</c>):
/// its name, which is the <c>transport</c> label of <c>vapora.gateway.connections.by_transport</c>, and whether clients
/// can send frames on it. The core never guesses a transport from its bytes.
/// </summary>
/// <param name="Name">The metrics label: <c>websocket</c>, <c>sse</c>.</param>
/// <param name="IsBidirectional">True when the client sends frames too (a WebSocket); false for a stream the server only writes.</param>
public sealed record TransportInfo(string Name, bool IsBidirectional);
