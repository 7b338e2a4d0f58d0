using System.Diagnostics;
using System.Net.WebSockets;
using Vapora.Bench.Measurement;

namespace Vapora.Bench.Clients;

/// <summary>A plain WebSocket client (Vapora's stream, the ceiling app) whose text frames are updates.</summary>
internal sealed class WebSocketWatcher : IWatcher
{
    private readonly ClientWebSocket _socket;
    private readonly ClientTracker _tracker;
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _stalled = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _stall;
    private Task _reader = Task.CompletedTask;

    private WebSocketWatcher(ClientWebSocket socket, ClientTracker tracker)
    {
        _socket = socket;
        _tracker = tracker;
    }

    /// <summary>Connects through <paramref name="invoker"/> (one handler shared by all clients) and starts reading.</summary>
    public static async Task<WebSocketWatcher> ConnectAsync(Uri url, HttpMessageInvoker invoker, ClientTracker tracker, CancellationToken cancellationToken)
    {
        var socket = new ClientWebSocket();
        // The servers ping idle sockets; the client answers them, it needs no pings of its own.
        socket.Options.KeepAliveInterval = TimeSpan.Zero;
        try
        {
            await socket.ConnectAsync(url, invoker, cancellationToken);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        var watcher = new WebSocketWatcher(socket, tracker);
        watcher._reader = watcher.ReadLoopAsync();
        return watcher;
    }

    public void Stall() => _stall = true;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _socket.Abort();
        await _reader;
        _socket.Dispose();
        _stop.Dispose();
    }

    private async Task ReadLoopAsync()
    {
        // Updates are a few hundred bytes; a larger frame is gathered into a bigger array.
        // Pinned-heap buffer: thousands of pending receives would otherwise pin arrays all over gen0 and slow every GC.
        var buffer = GC.AllocateUninitializedArray<byte>(2048, pinned: true);
        try
        {
            while (true)
            {
                var length = 0;
                ValueWebSocketReceiveResult result;
                do
                {
                    if (length == buffer.Length)
                    {
                        var larger = GC.AllocateUninitializedArray<byte>(buffer.Length * 2, pinned: true);
                        buffer.CopyTo(larger, 0);
                        buffer = larger;
                    }

                    if (_stall)
                    {
                        // Never reads again: the server's send queue for this client fills up.
                        await _stalled.Task.WaitAsync(_stop.Token);
                    }

                    result = await _socket.ReceiveAsync(buffer.AsMemory(length), _stop.Token);
                    length += result.Count;
                }
                while (!result.EndOfMessage);

                var received = Stopwatch.GetTimestamp();
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    _tracker.OnClosed($"closed by the server: {(int?)_socket.CloseStatus} {_socket.CloseStatusDescription}");
                    return;
                }

                if (UpdateFrameReader.TryRead(buffer.AsSpan(0, length), out var version, out var sent))
                {
                    _tracker.OnUpdate(version, sent, received);
                }
                else
                {
                    _tracker.OnUnreadable();
                }
            }
        }
        catch (Exception ex) when (_stop.IsCancellationRequested && ex is OperationCanceledException or ObjectDisposedException or WebSocketException)
        {
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
            if (!_stop.IsCancellationRequested)
            {
                _tracker.OnClosed("dropped: " + ex.Message);
            }
        }
    }
}
