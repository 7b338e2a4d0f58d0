namespace Vapora.RealtimeGateway.Tests.Units;

/// <summary>A response body whose client reads only when the test allows: each write waits for a permit.</summary>
internal sealed class GatedBody : Stream
{
    private readonly SemaphoreSlim _permits = new(0);
    private readonly MemoryStream _written = new();
    private int _writesStarted;
    private int _writes;

    public int WritesStarted => Volatile.Read(ref _writesStarted);

    public int Written => Volatile.Read(ref _writes);

    public string Text
    {
        get { lock (_written) { return System.Text.Encoding.UTF8.GetString(_written.ToArray()); } }
    }

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public void Allow(int writes) => _permits.Release(writes);

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _writesStarted);
        await _permits.WaitAsync(cancellationToken);
        lock (_written)
        {
            _written.Write(buffer.Span);
        }

        Interlocked.Increment(ref _writes);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override void Flush()
    {
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _permits.Dispose();
            _written.Dispose();
        }

        base.Dispose(disposing);
    }
}
