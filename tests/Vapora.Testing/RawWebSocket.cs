using System.Buffers.Binary;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace Vapora.Testing;

/// <summary>
/// A WebSocket client written on a bare TCP socket, for what library clients hide: sending protocol pings and
/// reading the pong, or connecting and then never reading (a stalled consumer).
/// </summary>
public sealed class RawWebSocket : IAsyncDisposable
{
    private readonly TcpClient _tcp;
    private readonly NetworkStream _stream;

    private RawWebSocket(TcpClient tcp)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
    }

    public const byte Text = 0x1, Binary = 0x2, Close = 0x8, Ping = 0x9, Pong = 0xA;

    /// <summary>Connects and upgrades; <paramref name="receiveBuffer"/> bytes is the kernel receive buffer (small to stall sooner).</summary>
    public static async Task<RawWebSocket> ConnectAsync(Uri url, int? receiveBuffer = null, IReadOnlyDictionary<string, string>? headers = null)
    {
        var tcp = new TcpClient { NoDelay = true };
        if (receiveBuffer is { } size)
        {
            tcp.ReceiveBufferSize = size;
        }

        await tcp.ConnectAsync(url.Host, url.Port);
        var socket = new RawWebSocket(tcp);
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
        var request = $"GET {url.PathAndQuery} HTTP/1.1\r\nHost: {url.Host}:{url.Port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + $"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
            + string.Concat((headers ?? new Dictionary<string, string>()).Select(h => $"{h.Key}: {h.Value}\r\n")) + "\r\n";
        await socket._stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        var head = await socket.ReadHeadAsync();
        if (!head.StartsWith("HTTP/1.1 101", StringComparison.Ordinal))
        {
            throw new UpgradeRefusedException(head);
        }

        return socket;
    }

    /// <summary>Sends one masked frame, as a client must.</summary>
    public async Task SendFrameAsync(byte opcode, ReadOnlyMemory<byte> payload, bool fin = true)
    {
        var header = new List<byte> { (byte)((fin ? 0x80 : 0) | opcode) };
        if (payload.Length < 126)
        {
            header.Add((byte)(0x80 | payload.Length));
        }
        else if (payload.Length <= ushort.MaxValue)
        {
            header.Add(0x80 | 126);
            header.Add((byte)(payload.Length >> 8));
            header.Add((byte)payload.Length);
        }
        else
        {
            header.Add(0x80 | 127);
            var length = new byte[8];
            BinaryPrimitives.WriteUInt64BigEndian(length, (ulong)payload.Length);
            header.AddRange(length);
        }

        var mask = RandomNumberGenerator.GetBytes(4);
        header.AddRange(mask);
        var masked = payload.ToArray();
        for (var i = 0; i < masked.Length; i++)
        {
            masked[i] ^= mask[i % 4];
        }

        // One write per frame: two small writes would wait on Nagle and the peer's delayed ACK.
        await _stream.WriteAsync(header.Concat(masked).ToArray());
    }

    public Task SendTextAsync(string text) => SendFrameAsync(Text, Encoding.UTF8.GetBytes(text));

    /// <summary>Reads the next frame (opcode and payload).</summary>
    public async Task<(byte Opcode, byte[] Payload)> ReadFrameAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        var head = await ReadExactlyAsync(2, cts.Token);
        var opcode = (byte)(head[0] & 0x0F);
        long length = head[1] & 0x7F;
        if (length == 126)
        {
            length = BinaryPrimitives.ReadUInt16BigEndian(await ReadExactlyAsync(2, cts.Token));
        }
        else if (length == 127)
        {
            length = (long)BinaryPrimitives.ReadUInt64BigEndian(await ReadExactlyAsync(8, cts.Token));
        }

        return (opcode, await ReadExactlyAsync((int)length, cts.Token));
    }

    /// <summary>Drops the connection.</summary>
    public void Abort() => _tcp.Client.Close(0);

    public ValueTask DisposeAsync()
    {
        _tcp.Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task<byte[]> ReadExactlyAsync(int count, CancellationToken cancellationToken)
    {
        var buffer = new byte[count];
        await _stream.ReadExactlyAsync(buffer, cancellationToken);
        return buffer;
    }

    private async Task<string> ReadHeadAsync()
    {
        var bytes = new List<byte>();
        var one = new byte[1];
        while (bytes.Count < 4 || !(bytes[^4] == '\r' && bytes[^3] == '\n' && bytes[^2] == '\r' && bytes[^1] == '\n'))
        {
            if (await _stream.ReadAsync(one) == 0)
            {
                throw new IOException("Connection closed during the upgrade.");
            }

            bytes.Add(one[0]);
        }

        return Encoding.ASCII.GetString(bytes.ToArray());
    }
}

/// <summary>The server answered the upgrade with something other than 101.</summary>
public sealed class UpgradeRefusedException(string head) : Exception("Upgrade refused: " + head)
{
    /// <summary>The status line and headers of the answer.</summary>
    public string Head { get; } = head;

    /// <summary>The HTTP status code of the answer.</summary>
    public int StatusCode => int.Parse(Head.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
}
