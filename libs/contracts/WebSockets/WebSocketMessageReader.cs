using System.Buffers;
using System.Net.WebSockets;

namespace Vapora.Contracts.WebSockets;

/// <summary>
/// Receives whole WebSocket messages, the one way every Vapora socket reader does it (gateway, .NET client, bench,
/// tests). Between messages it holds no buffer: it waits with a zero-byte read (keep-alive pings are answered inside
/// it) and rents a buffer from the shared pool only once a message arrives, so thousands of idle sockets pin and hold
/// nothing. Not thread-safe: one read loop owns it.
/// </summary>
/// <param name="socket">The socket to read.</param>
/// <param name="maxMessageBytes">Larger messages end the read with <see cref="WebSocketMessage.TooBig"/>, the rest unread.</param>
public sealed class WebSocketMessageReader(WebSocket socket, int maxMessageBytes = WebSocketMessageReader.DefaultMaxMessageBytes) : IDisposable
{
    /// <summary>The default limit: far above any update or control frame.</summary>
    public const int DefaultMaxMessageBytes = 16 * 1024 * 1024;

    private const int InitialBufferBytes = 1024;

    private readonly int _maxMessageBytes = maxMessageBytes > 0
        ? maxMessageBytes
        : throw new ArgumentOutOfRangeException(nameof(maxMessageBytes), maxMessageBytes, "The limit must be at least one byte.");

    private byte[]? _buffer;

    /// <summary>
    /// The next message. Its bytes stay valid until the next call or <see cref="Dispose"/>. A close frame comes back
    /// as <see cref="WebSocketMessageType.Close"/> (the status is on the socket); socket errors are thrown.
    /// </summary>
    public async ValueTask<WebSocketMessage> ReceiveAsync(CancellationToken cancellationToken) =>
        await ReceiveAsync(await WaitAsync(cancellationToken), cancellationToken);

    /// <summary>
    /// Waits for the next message with a zero-byte read and returns what began (pass it to
    /// <see cref="ReceiveAsync(ValueWebSocketReceiveResult, CancellationToken)"/>). Not an async method: a caller that
    /// awaits this between messages keeps no state machine of the reader's alive while its socket is idle.
    /// </summary>
    public ValueTask<ValueWebSocketReceiveResult> WaitAsync(CancellationToken cancellationToken)
    {
        Release();
        return socket.ReceiveAsync(Memory<byte>.Empty, cancellationToken);
    }

    /// <summary>Reads the message that <paramref name="first"/> (from <see cref="WaitAsync"/>) began; as <see cref="ReceiveAsync(CancellationToken)"/>.</summary>
    public async ValueTask<WebSocketMessage> ReceiveAsync(ValueWebSocketReceiveResult first, CancellationToken cancellationToken)
    {
        var result = first;
        if (result.MessageType == WebSocketMessageType.Close || result.EndOfMessage)
        {
            return new WebSocketMessage(result.MessageType, ReadOnlyMemory<byte>.Empty, TooBig: false);
        }

        _buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(InitialBufferBytes, _maxMessageBytes + 1L));
        var length = 0;
        while (true)
        {
            if (length == _buffer.Length)
            {
                var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min(_buffer.Length * 2L, _maxMessageBytes + 1L));
                _buffer.AsSpan(0, length).CopyTo(larger);
                ArrayPool<byte>.Shared.Return(_buffer);
                _buffer = larger;
            }

            result = await socket.ReceiveAsync(_buffer.AsMemory(length), cancellationToken);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return new WebSocketMessage(WebSocketMessageType.Close, ReadOnlyMemory<byte>.Empty, TooBig: false);
            }

            length += result.Count;
            if (length > _maxMessageBytes)
            {
                // Stop here: a peer streaming an endless message must not keep this reader (or its memory) busy.
                return new WebSocketMessage(result.MessageType, ReadOnlyMemory<byte>.Empty, TooBig: true);
            }

            if (result.EndOfMessage)
            {
                return new WebSocketMessage(result.MessageType, _buffer.AsMemory(0, length), TooBig: false);
            }
        }
    }

    /// <summary>Returns the buffer to the pool; call once the read loop has ended.</summary>
    public void Dispose() => Release();

    private void Release()
    {
        if (_buffer is { } buffer)
        {
            _buffer = null;
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
