using System.Buffers;

namespace Vapora.RealtimeGateway.Transport.WebSockets;

/// <summary>
/// The upgraded connection's stream under a server WebSocket, with writes that can be held: while
/// <see cref="Holding"/> is set, what the WebSocket writes (frames, and the pings and pongs it sends itself) is copied
/// into one pooled buffer; the first write after it is cleared sends the buffer and itself in one write to Kestrel, so
/// one socket send carries a batch of frames instead of each its own.
/// </summary>
/// <remarks>
/// The WebSocket makes every write (frames, pings, pongs, the close) under its own send lock, one at a time, so the
/// buffer is only touched there. The writer loop only flips <see cref="Holding"/> and writes a batch's last frame with
/// it cleared, which sends everything held; a write of the WebSocket's own (a pong) that meets the flag cleared sends
/// what is held too, so nothing is left behind whichever comes first. The buffer is rented for a batch and returned
/// after it, so an idle socket holds none. An abort disposes the stream outside the send lock, so disposing leaves the
/// buffer alone.
/// </remarks>
internal sealed class WriteBatchingStream(Stream inner) : Stream
{
    /// <summary>Most bytes held before they are sent anyway (a batch of large frames goes out in pieces this big).</summary>
    internal const int MaxHeldBytes = 32 * 1024;

    private byte[]? _held;
    private int _heldLength;
    private volatile bool _holding;

    /// <summary>Set by the writer loop while more frames follow; cleared for a batch's last frame, which sends all.</summary>
    public bool Holding
    {
        get => _holding;
        set => _holding = value;
    }

    /// <summary>Bytes held now (for tests).</summary>
    internal int HeldBytes => _heldLength;

    public override bool CanRead => inner.CanRead;

    public override bool CanSeek => false;

    public override bool CanWrite => inner.CanWrite;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_holding && _heldLength + buffer.Length <= MaxHeldBytes)
        {
            Hold(buffer.Span);
            return ValueTask.CompletedTask;
        }

        if (_heldLength == 0)
        {
            return inner.WriteAsync(buffer, cancellationToken);
        }

        if (_heldLength + buffer.Length <= MaxHeldBytes)
        {
            Hold(buffer.Span);
            return SendHeldAsync(ReadOnlyMemory<byte>.Empty, cancellationToken);
        }

        return SendHeldAsync(buffer, cancellationToken);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer, offset, count).GetAwaiter().GetResult();

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        inner.ReadAsync(buffer, cancellationToken);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        inner.ReadAsync(buffer, offset, count, cancellationToken);

    public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

    /// <summary>The WebSocket flushes after every frame: while a batch is held there is nothing to flush yet.</summary>
    public override Task FlushAsync(CancellationToken cancellationToken) =>
        _heldLength > 0 ? Task.CompletedTask : inner.FlushAsync(cancellationToken);

    public override void Flush() => inner.Flush();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    // What is still held when the socket goes away was never sent, and stays with the stream: the buffer is not
    // returned (the pool does not need it back, and a write still running on it must not see it reused).
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    public override ValueTask DisposeAsync() => inner.DisposeAsync();

    private void Hold(ReadOnlySpan<byte> bytes)
    {
        _held ??= ArrayPool<byte>.Shared.Rent(MaxHeldBytes);
        bytes.CopyTo(_held.AsSpan(_heldLength));
        _heldLength += bytes.Length;
    }

    /// <summary>Sends what is held, then <paramref name="after"/> (a write too large to join it), and lets the buffer go.</summary>
    private async ValueTask SendHeldAsync(ReadOnlyMemory<byte> after, CancellationToken cancellationToken)
    {
        var held = _held!;
        var length = _heldLength;
        // Let go of the batch before the write: if it fails the socket is broken, and a later write (a pong on its way
        // out) must not send these frames a second time.
        _heldLength = 0;
        _held = null;
        await inner.WriteAsync(held.AsMemory(0, length), cancellationToken);
        ArrayPool<byte>.Shared.Return(held);
        if (!after.IsEmpty)
        {
            await inner.WriteAsync(after, cancellationToken);
        }
    }
}
