using System.Buffers.Binary;
using System.Globalization;
using System.Net.WebSockets;
using Vapora.Contracts.WebSockets;

namespace Vapora.Bench.Ceiling;

/// <summary>
/// <c>/ws?w=N</c>: a watcher of workflow N (it only receives). <c>/control</c>: the harness's one socket; each binary
/// message is <c>[int32 little-endian workflow][payload]</c>, and the payload goes unchanged to every watcher of N.
/// </summary>
internal static class CeilingEndpoints
{
    public static async Task WatchAsync(HttpContext http, WatcherTable table)
    {
        if (!http.WebSockets.IsWebSocketRequest
            || !int.TryParse(http.Request.Query["w"], NumberStyles.None, CultureInfo.InvariantCulture, out var workflow)
            || workflow >= table.Workflows)
        {
            http.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        using var socket = await http.WebSockets.AcceptWebSocketAsync();
        table.Add(workflow, socket);
        try
        {
            // Watchers send nothing; reading only notices the close.
            var buffer = new byte[16];
            while (true)
            {
                var result = await socket.ReceiveAsync(buffer.AsMemory(), http.RequestAborted);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
                    return;
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
            // The client went away.
        }
        finally
        {
            table.Remove(workflow, socket);
        }
    }

    public static async Task ControlAsync(HttpContext http, WatcherTable table)
    {
        if (!http.WebSockets.IsWebSocketRequest)
        {
            http.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        using var control = await http.WebSockets.AcceptWebSocketAsync();
        using var reader = new WebSocketMessageReader(control, 64 * 1024);
        var pending = new List<Task>();
        try
        {
            while (true)
            {
                var message = await reader.ReceiveAsync(http.RequestAborted);
                if (message.IsClose)
                {
                    await control.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
                    return;
                }

                var bytes = message.Bytes;
                if (bytes.Length < 4 || BinaryPrimitives.ReadInt32LittleEndian(bytes.Span) is var workflow && (uint)workflow >= (uint)table.Workflows)
                {
                    continue;
                }

                // One copy per message, shared by every watcher (a real fan-out encodes once too).
                var payload = bytes[4..].ToArray();
                await FanOutAsync(table.Of(workflow), payload, pending);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
            // The harness went away.
        }
    }

    // Writes to loopback sockets almost always complete at once; only the others are awaited, before the next
    // message, so no socket ever has two sends in flight.
    private static async Task FanOutAsync(WebSocket[] sockets, ReadOnlyMemory<byte> payload, List<Task> pending)
    {
        foreach (var socket in sockets)
        {
            var send = socket.SendAsync(payload, WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
            if (!send.IsCompletedSuccessfully)
            {
                pending.Add(send.AsTask());
            }
        }

        foreach (var send in pending)
        {
            try
            {
                await send;
            }
            catch (Exception ex) when (ex is WebSocketException or ObjectDisposedException or IOException)
            {
                // A watcher that closed; its reader removes it.
            }
        }

        pending.Clear();
    }
}
