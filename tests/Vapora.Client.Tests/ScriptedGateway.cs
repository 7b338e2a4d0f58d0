using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using Vapora.Testing;

namespace Vapora.Client.Tests;

/// <summary>
/// A WebSocket server on a loopback port that does what a test scripts, per connection: what a newer gateway or a proxy
/// might do (close codes this client does not know, statuses it does not know), which a real gateway of this version
/// never does. It speaks RFC 6455 through .NET's own server-side WebSocket.
/// </summary>
internal sealed class ScriptedGateway : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, TestPorts.GetFree());
    private readonly Func<int, WebSocket, Task> _script;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _connections = [];
    private readonly Task _accepting;

    /// <param name="script">Runs per connection with its number (0, 1, ...) and the server side of the socket.</param>
    public ScriptedGateway(Func<int, WebSocket, Task> script)
    {
        _script = script;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public Uri BaseUrl => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");

    /// <summary>The request targets (path and query) of the upgrades, in order.</summary>
    public List<string> Requests { get; } = [];

    public static Task SendAsync(WebSocket socket, string json) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(json), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);

    /// <summary>An update as the gateway sends it; the state frame when <paramref name="name"/> is given.</summary>
    public static string Update(string workflowId, long version, string status, string? name = null) =>
        $$"""{"workflow_id":"{{workflowId}}","version":{{version}},"status":"{{status}}","current_step":{{version}},"total_steps":10,"message":null,"timestamp":"2026-11-28T17:00:00.000Z"{{(name is null ? "" : $",\"name\":\"{name}\",\"created_at\":\"2026-11-28T16:00:00.000Z\"")}}}""";

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await Task.WhenAll([.. _connections, _accepting]).WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(_ => { }, TaskScheduler.Default);
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        for (var index = 0; !_stop.IsCancellationRequested; index++)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            var number = index;
            lock (_connections)
            {
                _connections.Add(Task.Run(() => ServeAsync(number, client)));
            }
        }
    }

    private async Task ServeAsync(int number, TcpClient client)
    {
        using (client)
        {
            var stream = client.GetStream();
            var request = await ReadHeadAsync(stream);
            var lines = request.Split("\r\n");
            lock (Requests)
            {
                Requests.Add(lines[0].Split(' ')[1]);
            }

            var key = lines.Single(l => l.StartsWith("Sec-WebSocket-Key:", StringComparison.OrdinalIgnoreCase)).Split(':', 2)[1].Trim();
            var accept = Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")));
            await stream.WriteAsync(Encoding.ASCII.GetBytes(
                $"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n\r\n"));
            using var socket = WebSocket.CreateFromStream(stream, new WebSocketCreationOptions { IsServer = true, KeepAliveInterval = TimeSpan.Zero });
            await _script(number, socket);
            // Keep reading until the client goes (or the test ends): a WebSocket needs a reader for its close handshake.
            var buffer = new byte[1024];
            try
            {
                while (socket.State == WebSocketState.Open || socket.State == WebSocketState.CloseSent)
                {
                    await socket.ReceiveAsync(buffer, _stop.Token);
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or IOException)
            {
                // The test is over or the client dropped the connection.
            }
        }
    }

    private static async Task<string> ReadHeadAsync(NetworkStream stream)
    {
        var head = new StringBuilder();
        var one = new byte[1];
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            if (await stream.ReadAsync(one) == 0)
            {
                throw new IOException("The client closed before its upgrade request ended.");
            }

            head.Append((char)one[0]);
        }

        return head.ToString();
    }
}
