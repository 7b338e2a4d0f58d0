using System.Net.WebSockets;

namespace Vapora.Contracts.WebSockets;

/// <summary>One received message.</summary>
/// <param name="Type">Text, binary, or close.</param>
/// <param name="Bytes">The whole message (empty for close and for a too-big message).</param>
/// <param name="TooBig">The message was larger than the reader's limit; the rest of it is unread.</param>
public readonly record struct WebSocketMessage(WebSocketMessageType Type, ReadOnlyMemory<byte> Bytes, bool TooBig)
{
    /// <summary>The peer sent its close frame.</summary>
    public bool IsClose => Type == WebSocketMessageType.Close;
}
