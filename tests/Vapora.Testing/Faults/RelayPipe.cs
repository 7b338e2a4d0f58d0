using System.Net.Sockets;
using System.Threading.Channels;

namespace Vapora.Testing.Faults;

/// <summary>
/// One direction of a relayed connection. A reader keeps taking bytes off the source socket (so the sender never sees
/// back-pressure it would not see on a real link that swallows them); a writer hands them on when the relay's fault
/// lets it: at once, after the latency and within the bandwidth, later (silent), or never (dropped).
/// </summary>
internal sealed class RelayPipe
{
    private readonly Socket _from;
    private readonly Socket _to;
    private readonly RelayFlow _flow;
    private readonly TcpRelay _relay;
    private readonly Channel<Chunk> _chunks = Channel.CreateUnbounded<Chunk>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });

    public RelayPipe(Socket from, Socket to, RelayFlow flow, TcpRelay relay)
    {
        _from = from;
        _to = to;
        _flow = flow;
        _relay = relay;
    }

    public Task RunAsync(CancellationToken cancellationToken) => Task.WhenAll(ReadAsync(cancellationToken), WriteAsync(cancellationToken));

    private async Task ReadAsync(CancellationToken cancellationToken)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                var read = await _from.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);
                if (read == 0)
                {
                    _chunks.Writer.TryWrite(Chunk.End);
                    return;
                }

                _chunks.Writer.TryWrite(new Chunk(buffer.AsSpan(0, read).ToArray(), _relay.Time.GetTimestamp(), Reset: false));
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            _chunks.Writer.TryWrite(Chunk.Broken);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task WriteAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var chunk in _chunks.Reader.ReadAllAsync(cancellationToken))
            {
                if (!await _relay.WaitUntilDeliverableAsync(_flow, chunk.ReadAt, chunk.Bytes?.Length ?? 0, cancellationToken))
                {
                    // A dropped flow: the bytes (or the FIN, or the RST) vanish.
                    _relay.CountDropped(chunk.Bytes?.Length ?? 0);
                    continue;
                }

                if (chunk.Bytes is null)
                {
                    Close(chunk.Reset);
                    return;
                }

                await _to.SendAsync(chunk.Bytes, SocketFlags.None, cancellationToken);
                _relay.CountForwarded(chunk.Bytes.Length);
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            _flow.Abort();
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void Close(bool reset)
    {
        if (reset)
        {
            _flow.Abort();
            return;
        }

        try
        {
            _to.Shutdown(SocketShutdown.Send);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
        }
    }

    private sealed record Chunk(byte[]? Bytes, long ReadAt, bool Reset)
    {
        public static readonly Chunk End = new(null, 0, Reset: false);
        public static readonly Chunk Broken = new(null, 0, Reset: true);
    }
}
