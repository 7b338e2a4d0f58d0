using System.Diagnostics;
using System.Net.WebSockets;
using Vapora.Bench.Measurement;
using Vapora.Client;
using Vapora.Contracts;
using Vapora.Contracts.WebSockets;

namespace Vapora.Bench.Clients;

/// <summary>
/// A Vapora stream client that behaves like <c>Vapora.Client</c> when its connection drops: it reconnects through the
/// load balancer with <c>?after=</c> the last version it got, after the client library's backoff (200 ms initial, equal
/// jitter), and resumes; a give-up close code ends it. Its tracker sees one stream of versions across connections,
/// so a version lost or doubled by the resume is counted like any other. With a <see cref="ClientToken"/> every
/// connection carries a token, and an expired token's close (4401) is resumed with a fresh one, as Vapora.Client does
/// with an access-token callback.
/// </summary>
internal sealed class ResumingWatcher : IWatcher
{
    private static readonly TimeSpan InitialBackoff = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(5);

    private readonly Uri _resumeUrl;
    private readonly HttpMessageInvoker _invoker;
    private readonly ClientTracker _tracker;
    private readonly ClientToken? _token;
    private readonly CancellationTokenSource _stop = new();
    private ClientWebSocket _socket;
    private Task _loop = Task.CompletedTask;

    private ResumingWatcher(ClientWebSocket socket, Uri resumeUrl, HttpMessageInvoker invoker, ClientTracker tracker, ClientToken? token)
    {
        _socket = socket;
        _resumeUrl = resumeUrl;
        _invoker = invoker;
        _tracker = tracker;
        _token = token;
    }

    public static async Task<ResumingWatcher> ConnectAsync(Uri url, Uri resumeUrl, HttpMessageInvoker invoker, ClientTracker tracker, ClientToken? token,
        CancellationToken cancellationToken)
    {
        var socket = await OpenAsync(url, invoker, token, cancellationToken);
        var watcher = new ResumingWatcher(socket, resumeUrl, invoker, tracker, token);
        watcher._loop = watcher.RunAsync();
        return watcher;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _socket.Abort();
        await _loop;
        _socket.Dispose();
        _stop.Dispose();
    }

    private static async Task<ClientWebSocket> OpenAsync(Uri url, HttpMessageInvoker invoker, ClientToken? token, CancellationToken cancellationToken)
    {
        var socket = new ClientWebSocket();
        socket.Options.KeepAliveInterval = TimeSpan.Zero;
        token?.Authorize(socket);
        try
        {
            await socket.ConnectAsync(url, invoker, cancellationToken);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private async Task RunAsync()
    {
        var attempt = 0;
        while (!_stop.IsCancellationRequested)
        {
            var closeCode = await ReadAsync(_socket);
            if (_stop.IsCancellationRequested)
            {
                return;
            }

            _token?.OnClosed(closeCode);
            // An expired token is renewed by the next connection. Vapora.Client does so only on a connection that answered
            // (its pings get pongs); this client sends no pings, and a socket resumed on an idle workflow may get no frame
            // before its token expires, so every 4401 counts: a token the gateway refuses at once would show as reconnects.
            var expired = _token is not null && ClientToken.IsExpiry(closeCode);
            if (closeCode is { } code && !CloseReason.ShouldResume(code) && !expired)
            {
                _tracker.OnClosed($"closed by the server with {code} (give up)");
                return;
            }

            _tracker.OnDisconnected(Stopwatch.GetTimestamp());
            while (!_stop.IsCancellationRequested)
            {
                attempt++;
                try
                {
                    await Task.Delay(ReconnectBackoff.Delay(attempt, InitialBackoff, MaxBackoff, Random.Shared), _stop.Token);
                    // As Vapora.Client: after the last version it has, even the state's version 1 (without after, the gateway
                    // would start again with the current state and skip what came in between); no after only before the state came.
                    var url = new UriBuilder(_resumeUrl) { Query = _tracker.FirstFrame.Task.IsCompletedSuccessfully ? $"after={_tracker.Highest}" : string.Empty }.Uri;
                    var socket = await OpenAsync(url, _invoker, _token, _stop.Token);
                    _socket.Dispose();
                    _socket = socket;
                    _token?.OnReconnected();
                    attempt = 0;
                    break;
                }
                catch (Exception ex) when (ex is WebSocketException or HttpRequestException or IOException or OperationCanceledException)
                {
                    // Nobody answered yet (or stopping): try again after a longer backoff.
                }
            }
        }
    }

    /// <summary>Reads until the connection ends; the close code if the server sent one.</summary>
    private async Task<int?> ReadAsync(ClientWebSocket socket)
    {
        using var receiver = new WebSocketMessageReader(socket);
        try
        {
            while (true)
            {
                var (type, message, _) = await receiver.ReceiveAsync(_stop.Token);
                var received = Stopwatch.GetTimestamp();
                if (type == WebSocketMessageType.Close)
                {
                    return (int?)socket.CloseStatus;
                }

                if (SentTime.TryRead(message.Span, out var version, out var sent))
                {
                    _tracker.OnUpdate(version, sent, received);
                }
                else if (_token is null || !await _token.OnControlFrameAsync(socket, message, _stop.Token))
                {
                    _tracker.OnUnreadable();
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException or IOException)
        {
            return null;
        }
    }
}
