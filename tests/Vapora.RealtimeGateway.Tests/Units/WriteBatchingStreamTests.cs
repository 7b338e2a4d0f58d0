using System.Net.WebSockets;
using System.Text;
using Vapora.RealtimeGateway.Transport.WebSockets;

namespace Vapora.RealtimeGateway.Tests.Units;

/// <summary>
/// The stream under a gateway WebSocket that lets a batch of frames go out in one write: what is held, when it goes,
/// and that a real WebSocket client reads the batch back as whole messages in order.
/// </summary>
public sealed class WriteBatchingStreamTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Writes_while_holding_wait_and_the_first_write_after_goes_out_with_them_in_one_write_in_order()
    {
        var inner = new RecordingStream();
        await using var stream = new WriteBatchingStream(inner);

        stream.Holding = true;
        await stream.WriteAsync("ab"u8.ToArray(), Ct);
        await stream.WriteAsync("cd"u8.ToArray(), Ct);
        Assert.Empty(inner.Writes);
        Assert.Equal(4, stream.HeldBytes);

        stream.Holding = false;
        await stream.WriteAsync("ef"u8.ToArray(), Ct);
        Assert.Equal(["abcdef"], inner.Texts);
        Assert.Equal(0, stream.HeldBytes);
    }

    [Fact]
    public async Task A_flush_while_frames_are_held_waits_for_the_batch_and_one_after_it_reaches_the_server()
    {
        var inner = new RecordingStream();
        await using var stream = new WriteBatchingStream(inner);

        stream.Holding = true;
        await stream.WriteAsync("ab"u8.ToArray(), Ct);
        await stream.FlushAsync(Ct); // the WebSocket flushes after every frame
        Assert.Equal(0, inner.Flushes);

        stream.Holding = false;
        await stream.WriteAsync("cd"u8.ToArray(), Ct);
        await stream.FlushAsync(Ct);
        Assert.Equal(["abcd"], inner.Texts);
        Assert.Equal(1, inner.Flushes);
    }

    [Fact]
    public async Task A_batch_whose_write_fails_is_dropped_and_never_sent_again()
    {
        var inner = new RecordingStream { FailNextWrite = true };
        await using var stream = new WriteBatchingStream(inner);

        stream.Holding = true;
        await stream.WriteAsync("frames"u8.ToArray(), Ct);
        stream.Holding = false;
        await Assert.ThrowsAsync<IOException>(async () => await stream.WriteAsync("last"u8.ToArray(), Ct));
        Assert.Equal(0, stream.HeldBytes);

        await stream.WriteAsync("pong"u8.ToArray(), Ct);
        Assert.Equal(["pong"], inner.Texts);
    }

    [Fact]
    public async Task A_write_with_nothing_held_and_not_holding_goes_straight_through()
    {
        var inner = new RecordingStream();
        await using var stream = new WriteBatchingStream(inner);

        await stream.WriteAsync("one"u8.ToArray(), Ct);
        await stream.WriteAsync("two"u8.ToArray(), Ct);
        Assert.Equal(["one", "two"], inner.Texts);
    }

    [Fact]
    public async Task A_batch_that_would_pass_the_bound_sends_what_is_held_first_and_a_large_write_is_never_copied()
    {
        var inner = new RecordingStream();
        await using var stream = new WriteBatchingStream(inner);
        var nearlyFull = new byte[WriteBatchingStream.MaxHeldBytes - 10];
        var tooLarge = new byte[WriteBatchingStream.MaxHeldBytes + 1];

        stream.Holding = true;
        await stream.WriteAsync(nearlyFull, Ct);
        await stream.WriteAsync(new byte[20], Ct); // does not fit beside it: both go, the held bytes first
        Assert.Equal([nearlyFull.Length, 20], inner.Writes.Select(w => w.Length));
        Assert.Equal(0, stream.HeldBytes);

        await stream.WriteAsync(tooLarge, Ct); // larger than the bound, nothing held: straight through
        Assert.Equal(3, inner.Writes.Count);
        Assert.Equal(tooLarge.Length, inner.Writes[2].Length);
        Assert.Equal(0, stream.HeldBytes);
    }

    [Fact]
    public async Task A_batch_of_messages_from_a_server_WebSocket_is_one_write_that_a_client_reads_as_whole_messages_in_order()
    {
        var inner = new RecordingStream();
        var stream = new WriteBatchingStream(inner);
        using var server = WebSocket.CreateFromStream(stream, new WebSocketCreationOptions { IsServer = true, KeepAliveInterval = TimeSpan.Zero });
        var messages = Enumerable.Range(1, 5).Select(i => $"{{\"version\":{i}}}").ToArray();

        for (var i = 0; i < messages.Length; i++)
        {
            stream.Holding = i < messages.Length - 1;
            await server.SendAsync(Encoding.UTF8.GetBytes(messages[i]), WebSocketMessageType.Text, endOfMessage: true, TestContext.Current.CancellationToken);
        }

        var write = Assert.Single(inner.Writes);
        using var client = WebSocket.CreateFromStream(new MemoryStream(write), new WebSocketCreationOptions { IsServer = false, KeepAliveInterval = TimeSpan.Zero });
        var buffer = new byte[256];
        foreach (var expected in messages)
        {
            var received = await client.ReceiveAsync(buffer, TestContext.Current.CancellationToken);
            Assert.True(received.EndOfMessage);
            Assert.Equal(WebSocketMessageType.Text, received.MessageType);
            Assert.Equal(expected, Encoding.UTF8.GetString(buffer, 0, received.Count));
        }
    }

    [Fact]
    public async Task Reads_pass_through_untouched_including_zero_byte_reads()
    {
        var inner = new RecordingStream("hello"u8.ToArray());
        await using var stream = new WriteBatchingStream(inner);

        Assert.Equal(0, await stream.ReadAsync(Memory<byte>.Empty, TestContext.Current.CancellationToken));
        var buffer = new byte[16];
        var read = await stream.ReadAsync(buffer, TestContext.Current.CancellationToken);
        Assert.Equal("hello", Encoding.UTF8.GetString(buffer, 0, read));
    }

    /// <summary>Keeps each write it gets as its own array; reads from fixed bytes.</summary>
    private sealed class RecordingStream(byte[]? readable = null) : Stream
    {
        private readonly MemoryStream _readable = new(readable ?? []);

        public List<byte[]> Writes { get; } = [];

        public int Flushes { get; private set; }

        /// <summary>The next write throws, as a write to a broken connection does.</summary>
        public bool FailNextWrite { get; set; }

        public IEnumerable<string> Texts => Writes.Select(w => Encoding.UTF8.GetString(w));

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (FailNextWrite)
            {
                FailNextWrite = false;
                return ValueTask.FromException(new IOException("The connection was reset."));
            }

            Writes.Add(buffer.ToArray());
            return ValueTask.CompletedTask;
        }

        public override Task FlushAsync(CancellationToken cancellationToken)
        {
            Flushes++;
            return Task.CompletedTask;
        }

        public override void Write(byte[] buffer, int offset, int count) => Writes.Add(buffer.AsSpan(offset, count).ToArray());

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(_readable.Read(buffer.Span));

        public override int Read(byte[] buffer, int offset, int count) => _readable.Read(buffer, offset, count);

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
