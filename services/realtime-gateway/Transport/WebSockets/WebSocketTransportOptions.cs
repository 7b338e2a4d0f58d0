using System.ComponentModel.DataAnnotations;

namespace Vapora.RealtimeGateway.Transport.WebSockets;

/// <summary>WebSocket settings (section <c>Gateway</c>; the keep-alive is every connection's: <c>ConnectionOptions</c>).</summary>
public sealed class WebSocketTransportOptions
{
    /// <summary>Configuration section (shared with the gateway's other options: the keys are the documented ones).</summary>
    public const string SectionName = "Gateway";

    /// <summary>Largest inbound WebSocket message; larger ones close the socket with 1009.</summary>
    [Range(128, 16 * 1024 * 1024)]
    public int MaxInboundMessageBytes { get; set; } = 64 * 1024;

    /// <summary>
    /// Socket I/O continues on the thread that completed it instead of hopping to Kestrel's I/O queue: a frame written
    /// by a connection's writer goes to the socket on the same thread, one thread-pool hop less per frame (see
    /// docs/benchmarks.md). Safe because nothing on the gateway's socket path blocks a thread.
    /// </summary>
    public bool InlineSocketScheduling { get; set; } = true;
}
