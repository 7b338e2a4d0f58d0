using System.Diagnostics;
using System.Net.WebSockets;
using Vapora.Bench.Measurement;
using Vapora.Contracts.WebSockets;

namespace Vapora.Bench.Clients;

/// <summary>A plain WebSocket client (Vapora's stream, the ceiling app) whose text frames are updates.</summary>
internal sealed class WebSocketWatcher : IWatcher
{
    private readonly ClientWebSocket _socket;
    private readonly ClientTracker _tracker;
    private readonly CancellationTokenSource _stop = new();
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
        using var receiver = new WebSocketMessageReader(_socket);
        try
        {
            while (true)
            {
                if (_stall)
                {
                    // Never reads again: the server's send queue for this client fills up.
                    await Task.Delay(Timeout.Infinite, _stop.Token);
                }

                var (type, message, _) = await receiver.ReceiveAsync(_stop.Token);
                var received = Stopwatch.GetTimestamp();
                if (type == WebSocketMessageType.Close)
                {
                    _tracker.OnClosed($"closed by the server: {(int?)_socket.CloseStatus} {_socket.CloseStatusDescription}");
                    return;
                }

                if (SentTime.TryRead(message.Span, out var version, out var sent))
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
