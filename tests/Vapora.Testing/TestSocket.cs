using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Vapora.Contracts.WebSockets;

namespace Vapora.Testing;

/// <summary>A real WebSocket client for tests: frames are collected by a background read loop and awaited with deadlines.</summary>
public sealed class TestSocket : IAsyncDisposable
{
    private readonly ClientWebSocket _socket;
    private readonly Channel<string> _frames = Channel.CreateUnbounded<string>();
    private readonly TaskCompletionSource<int> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stop = new();
    private Task _reader = Task.CompletedTask;

    private TestSocket(ClientWebSocket socket) => _socket = socket;

    /// <summary>Close code the server sent (or 1006 when the connection dropped without one); completes on close.</summary>
    public Task<int> Closed => _closed.Task;

    public string? CloseDescription { get; private set; }

    public WebSocketState State => _socket.State;

    public static async Task<TestSocket> ConnectAsync(Uri url, TimeSpan? timeout = null, Action<ClientWebSocketOptions>? configure = null)
    {
        var socket = new ClientWebSocket();
        socket.Options.KeepAliveInterval = TimeSpan.Zero;
        configure?.Invoke(socket.Options);
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        await socket.ConnectAsync(url, cts.Token);
        var test = new TestSocket(socket);
        test._reader = test.ReadLoopAsync();
        return test;
    }

    /// <summary>The next text frame; fails the test if none arrives in time.</summary>
    public async Task<string> NextAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        try
        {
            return await _frames.Reader.ReadAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"No frame within {(timeout ?? TimeSpan.FromSeconds(10)).TotalSeconds:0.#} s (socket {_socket.State}).");
        }
        catch (ChannelClosedException)
        {
            throw new InvalidOperationException($"The socket closed ({_closed.Task.Result} {CloseDescription}) before another frame arrived.");
        }
    }

    /// <summary>The next frame parsed as JSON.</summary>
    public async Task<JsonElement> NextJsonAsync(TimeSpan? timeout = null) =>
        JsonDocument.Parse(await NextAsync(timeout)).RootElement.Clone();

    /// <summary>Reads <paramref name="count"/> update frames (bare or in the /ws envelope) and returns their versions.</summary>
    public async Task<List<long>> ReadVersionsAsync(int count, TimeSpan? timeout = null)
    {
        var versions = new List<long>(count);
        for (var i = 0; i < count; i++)
        {
            var frame = await NextAsync(timeout);
            if (!UpdateFrameReader.TryReadVersion(Encoding.UTF8.GetBytes(frame), out var version))
            {
                throw new InvalidDataException("Expected an update frame, got: " + frame);
            }

            versions.Add(version);
        }

        return versions;
    }

    /// <summary>A frame if one is already queued.</summary>
    public bool TryNext(out string frame) => _frames.Reader.TryRead(out frame!);

    public Task SendAsync(string text) =>
        _socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, CancellationToken.None);

    public Task SendBytesAsync(byte[] bytes, WebSocketMessageType type) =>
        _socket.SendAsync(bytes, type, true, CancellationToken.None);

    /// <summary>A clean close handshake started by the client.</summary>
    public async Task CloseAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        if (_socket.State is WebSocketState.Open)
        {
            await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", cts.Token);
        }

        await _closed.Task.WaitAsync(cts.Token);
    }

    /// <summary>Drops the TCP connection without a close frame, as a crashed client or a lost network does.</summary>
    public void Abort() => _socket.Abort();

    /// <summary>Waits for the server to close the socket and returns its close code.</summary>
    public Task<int> WaitClosedAsync(TimeSpan? timeout = null) => _closed.Task.WaitAsync(timeout ?? TimeSpan.FromSeconds(10));

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _socket.Abort();
        await _reader;
        _socket.Dispose();
        _stop.Dispose();
    }

    private async Task ReadLoopAsync()
    {
        using var reader = new WebSocketMessageReader(_socket);
        try
        {
            while (true)
            {
                var message = await reader.ReceiveAsync(_stop.Token);
                if (message.IsClose)
                {
                    CloseDescription = _socket.CloseStatusDescription;
                    _closed.TrySetResult((int)(_socket.CloseStatus ?? WebSocketCloseStatus.Empty));
                    if (_socket.State == WebSocketState.CloseReceived)
                    {
                        await _socket.CloseOutputAsync(_socket.CloseStatus ?? WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
                    }

                    return;
                }

                _frames.Writer.TryWrite(Encoding.UTF8.GetString(message.Bytes.Span));
            }
        }
        catch (Exception)
        {
            _closed.TrySetResult(1006);
        }
        finally
        {
            _frames.Writer.TryComplete();
        }
    }
}
