using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using Vapora.Bench.Measurement;
using Vapora.Contracts.WebSockets;

namespace Vapora.Bench.Clients;

/// <summary>
/// <c>--signalr-client raw</c>: a SignalR client written against the JSON hub protocol on a plain WebSocket (the
/// protocol HubConnection speaks with SkipNegotiation). The server does exactly the same work; the harness spends
/// on it what it spends on a Vapora client, so at high rates it is the server, not the harness, that is measured.
/// </summary>
internal sealed class RawSignalRWatcher : IWatcher
{
    // The server drops a client it has not heard from in 30 s (ClientTimeoutInterval); HubConnection pings every 15 s.
    private static readonly TimeSpan PingInterval = TimeSpan.FromSeconds(15);
    private static readonly byte[] Handshake = Encoding.UTF8.GetBytes("{\"protocol\":\"json\",\"version\":1}\u001e");
    private static readonly byte[] Ping = Encoding.UTF8.GetBytes("{\"type\":6}\u001e");

    private readonly ClientWebSocket _socket;
    private readonly ClientTracker _tracker;
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _watching = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task _reader = Task.CompletedTask;
    private Task _pinger = Task.CompletedTask;

    private RawSignalRWatcher(ClientWebSocket socket, ClientTracker tracker)
    {
        _socket = socket;
        _tracker = tracker;
    }

    public static async Task<RawSignalRWatcher> ConnectAsync(Uri hubUrl, HttpMessageInvoker invoker, string group, ClientTracker tracker, CancellationToken cancellationToken)
    {
        var socket = new ClientWebSocket();
        socket.Options.KeepAliveInterval = TimeSpan.Zero;
        var watcher = new RawSignalRWatcher(socket, tracker);
        try
        {
            await socket.ConnectAsync(new UriBuilder(hubUrl) { Scheme = "ws" }.Uri, invoker, cancellationToken);
            await socket.SendAsync(Handshake, WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
            watcher._reader = watcher.ReadLoopAsync();
            var watch = Encoding.UTF8.GetBytes($"{{\"type\":1,\"invocationId\":\"0\",\"target\":\"Watch\",\"arguments\":[\"{group}\"]}}\u001e");
            await socket.SendAsync(watch, WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
            // Watch's completion: the group is joined (its Redis channel subscribed).
            await watcher._watching.Task.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
        }
        catch
        {
            await watcher.DisposeAsync();
            throw;
        }

        tracker.FirstFrame.TrySetResult();
        watcher._pinger = watcher.PingLoopAsync();
        return watcher;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _socket.Abort();
        await _reader;
        await _pinger;
        _socket.Dispose();
        _stop.Dispose();
    }

    private async Task ReadLoopAsync()
    {
        using var receiver = new WebSocketMessageReader(_socket);
        var handshakeDone = false;
        try
        {
            while (true)
            {
                var (type, message, _) = await receiver.ReceiveAsync(_stop.Token);
                var received = Stopwatch.GetTimestamp();
                if (type == WebSocketMessageType.Close)
                {
                    Closed($"closed by the server: {(int?)_socket.CloseStatus} {_socket.CloseStatusDescription}");
                    return;
                }

                // A message holds one or more records, each ending with 0x1E.
                var records = message.Span;
                while (records.IndexOf(SignalRRecordReader.RecordSeparator) is var end and >= 0)
                {
                    var record = records[..end];
                    records = records[(end + 1)..];
                    if (!handshakeDone)
                    {
                        // "{}" or {"error":"…"}.
                        handshakeDone = true;
                        if (record.IndexOf("error"u8) >= 0)
                        {
                            Closed("handshake refused: " + Encoding.UTF8.GetString(record));
                            return;
                        }

                        continue;
                    }

                    OnRecord(record, received);
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
                Closed("dropped: " + ex.Message);
            }
        }
    }

    private void OnRecord(ReadOnlySpan<byte> record, long received)
    {
        if (!SignalRRecordReader.TryRead(record, out var type, out var version, out var sent, out var error))
        {
            _tracker.OnUnreadable();
            return;
        }

        switch (type)
        {
            case SignalRRecordReader.InvocationType when version > 0:
                _tracker.OnUpdate(version, sent, received);
                break;
            case SignalRRecordReader.CompletionType when error:
                _watching.TrySetException(new InvalidOperationException("Watch failed: " + Encoding.UTF8.GetString(record)));
                break;
            case SignalRRecordReader.CompletionType:
                _watching.TrySetResult();
                break;
            case SignalRRecordReader.CloseType:
                Closed("close message: " + Encoding.UTF8.GetString(record));
                break;
            case SignalRRecordReader.PingType:
                break;
            default:
                _tracker.OnUnreadable();
                break;
        }
    }

    private void Closed(string reason)
    {
        _watching.TrySetException(new InvalidOperationException(reason));
        _tracker.OnClosed(reason);
    }

    private async Task PingLoopAsync()
    {
        using var timer = new PeriodicTimer(PingInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                await _socket.SendAsync(Ping, WebSocketMessageType.Text, endOfMessage: true, _stop.Token);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or ObjectDisposedException)
        {
            // Stopping, or the socket is gone (the reader reports that).
        }
    }
}
