using System.Net.WebSockets;

namespace Vapora.Bench.Clients;

/// <summary>Reads whole WebSocket messages into one growing buffer, owned by a client's read loop.</summary>
internal sealed class MessageReceiver(WebSocket socket)
{
    // Updates are a few hundred bytes; a larger frame is gathered into a bigger array.
    // Pinned-heap buffer: thousands of pending receives would otherwise pin arrays all over gen0 and slow every GC.
    private byte[] _buffer = GC.AllocateUninitializedArray<byte>(2048, pinned: true);

    /// <summary>The next message's type and bytes; the bytes are valid until the next call.</summary>
    public async ValueTask<(WebSocketMessageType Type, ReadOnlyMemory<byte> Message)> ReceiveAsync(CancellationToken cancellationToken)
    {
        var length = 0;
        ValueWebSocketReceiveResult result;
        do
        {
            if (length == _buffer.Length)
            {
                var larger = GC.AllocateUninitializedArray<byte>(_buffer.Length * 2, pinned: true);
                _buffer.CopyTo(larger, 0);
                _buffer = larger;
            }

            result = await socket.ReceiveAsync(_buffer.AsMemory(length), cancellationToken);
            length += result.Count;
        }
        while (!result.EndOfMessage);

        return (result.MessageType, _buffer.AsMemory(0, length));
    }
}
