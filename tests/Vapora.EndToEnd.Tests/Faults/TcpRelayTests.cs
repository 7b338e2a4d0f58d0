using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Vapora.Testing;
using Vapora.Testing.Faults;

namespace Vapora.EndToEnd.Tests.Faults;

/// <summary>The fault harness itself, on real loopback sockets: a client, the relay, and a server socket behind it.</summary>
public sealed class TcpRelayTests : IAsyncLifetime
{
    // How long "nothing arrives" is watched for: an absence can only be observed for some time.
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(400);
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    private readonly TcpListener _server = new(IPAddress.Loopback, TestPorts.GetFree());
    private TcpRelay _relay = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync()
    {
        _server.Start();
        _relay = TcpRelay.Start(((IPEndPoint)_server.LocalEndpoint).Port);
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await _relay.DisposeAsync();
        _server.Stop();
    }

    [Fact]
    public async Task Without_a_fault_bytes_pass_both_ways_and_a_close_passes_as_a_fin()
    {
        var (client, server) = await ConnectAsync();
        using (server)
        {
            await SendAsync(client, "ping");
            Assert.Equal("ping", await ReceiveAsync(server, 4));
            await SendAsync(server, "pong");
            Assert.Equal("pong", await ReceiveAsync(client, 4));

            client.Dispose();
            Assert.Equal(0, await server.ReceiveAsync(new byte[1].AsMemory(), SocketFlags.None, Ct).AsTask().WaitAsync(Deadline, Ct));
        }
    }

    [Fact]
    public async Task Silent_holds_bytes_both_ways_closes_nothing_and_delivers_them_in_order_after_heal()
    {
        var (client, server) = await ConnectAsync();
        using (client)
        using (server)
        {
            _relay.Silence();
            await SendAsync(client, "one");
            await SendAsync(client, "two");
            await SendAsync(server, "back");
            // A FIN or RST would end these receives; bytes would complete them. Neither may happen.
            var towardServer = server.ReceiveAsync(new byte[6].AsMemory(), SocketFlags.None, Ct).AsTask();
            var towardClient = client.ReceiveAsync(new byte[4].AsMemory(), SocketFlags.None, Ct).AsTask();
            Assert.False(await Completes(towardServer, Quiet), "nothing may reach the server while the hop is silent");
            Assert.False(await Completes(towardClient, Quiet), "nothing may reach the client while the hop is silent");
            Assert.True(client.Connected && server.Connected);

            _relay.Heal();
            Assert.True(await Completes(towardServer, Deadline) && await Completes(towardClient, Deadline));
            var first = await towardServer;
            Assert.True(first > 0);
        }

        // Order is kept: a fresh pair sends a numbered stream through a silence.
        var (c2, s2) = await ConnectAsync();
        using (c2)
        using (s2)
        {
            _relay.Silence();
            var sent = string.Concat(Enumerable.Range(0, 200).Select(i => $"{i:D4}"));
            await SendAsync(c2, sent[..400]);
            _relay.Heal();
            await SendAsync(c2, sent[400..]);
            Assert.Equal(sent, await ReceiveAsync(s2, sent.Length));
        }
    }

    [Fact]
    public async Task Dropped_flows_lose_what_is_sent_never_close_and_new_connections_after_heal_work()
    {
        var (client, server) = await ConnectAsync();
        using (client)
        using (server)
        {
            _relay.Drop();
            await SendAsync(client, "lost");
            await Poll.UntilAsync(() => _relay.DroppedBytes >= 4, Deadline, "the relay to read and drop the bytes");
            _relay.Heal();

            // After the heal the old flow still carries nothing, either way, and nobody is told.
            await SendAsync(client, "still lost");
            await SendAsync(server, "also lost");
            var towardServer = server.ReceiveAsync(new byte[16].AsMemory(), SocketFlags.None, Ct).AsTask();
            var towardClient = client.ReceiveAsync(new byte[16].AsMemory(), SocketFlags.None, Ct).AsTask();
            Assert.False(await Completes(towardServer, Quiet), "a forgotten flow must deliver nothing and close nothing");
            Assert.False(await Completes(towardClient, Quiet), "a forgotten flow must deliver nothing and close nothing");
            Assert.Equal(1, _relay.OpenConnections);

            var (fresh, freshServer) = await ConnectAsync();
            using (fresh)
            using (freshServer)
            {
                await SendAsync(fresh, "works");
                Assert.Equal("works", await ReceiveAsync(freshServer, 5));
            }
        }
    }

    [Fact]
    public async Task A_connection_accepted_while_flows_are_dropped_is_forgotten_too()
    {
        _relay.Drop();
        var (client, server) = await ConnectAsync();
        using (client)
        using (server)
        {
            _relay.Heal();
            await SendAsync(client, "hello");
            Assert.False(await Completes(server.ReceiveAsync(new byte[5].AsMemory(), SocketFlags.None, Ct).AsTask(), Quiet));
        }
    }

    [Fact]
    public async Task Slow_adds_the_latency_and_holds_to_the_bandwidth()
    {
        var (client, server) = await ConnectAsync();
        using (client)
        using (server)
        {
            _relay.Slow(TimeSpan.FromMilliseconds(300), bytesPerSecond: 20_000);
            var watch = Stopwatch.StartNew();
            await SendAsync(client, "x");
            await ReceiveAsync(server, 1);
            Assert.InRange(watch.Elapsed, TimeSpan.FromMilliseconds(290), Deadline);

            var payload = new string('y', 10_000);
            watch.Restart();
            await SendAsync(client, payload);
            await ReceiveAsync(server, payload.Length);
            // 10 kB at 20 kB/s: half a second on top of the latency.
            Assert.InRange(watch.Elapsed, TimeSpan.FromMilliseconds(780), Deadline);

            _relay.Heal();
            watch.Restart();
            await SendAsync(client, "z");
            await ReceiveAsync(server, 1);
            Assert.True(watch.Elapsed < TimeSpan.FromMilliseconds(250), $"healed, a byte took {watch.Elapsed.TotalMilliseconds:0} ms");
        }
    }

    [Fact]
    public async Task A_target_that_refuses_makes_the_relay_reset_the_client()
    {
        _server.Stop();
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        // The reset may come while connecting or while reading, depending on who runs first.
        var ended = await Record.ExceptionAsync(async () =>
        {
            await client.ConnectAsync(IPAddress.Loopback, _relay.Port, Ct);
            Assert.Equal(0, await client.ReceiveAsync(new byte[1].AsMemory(), SocketFlags.None, Ct).AsTask().WaitAsync(Deadline, Ct));
        });
        Assert.True(ended is null or SocketException, $"expected a reset or an end, got {ended}");
    }

    private async Task<(Socket Client, Socket Server)> ConnectAsync()
    {
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await client.ConnectAsync(IPAddress.Loopback, _relay.Port, Ct);
        var server = await _server.AcceptSocketAsync(Ct).AsTask().WaitAsync(Deadline, Ct);
        return (client, server);
    }

    private static async Task SendAsync(Socket socket, string text) =>
        await socket.SendAsync(Encoding.ASCII.GetBytes(text).AsMemory(), SocketFlags.None, Ct).AsTask().WaitAsync(Deadline, Ct);

    private static async Task<string> ReceiveAsync(Socket socket, int length)
    {
        var buffer = new byte[length];
        var read = 0;
        while (read < length)
        {
            var n = await socket.ReceiveAsync(buffer.AsMemory(read), SocketFlags.None, Ct).AsTask().WaitAsync(Deadline, Ct);
            Assert.True(n > 0, "the connection closed early");
            read += n;
        }

        return Encoding.ASCII.GetString(buffer);
    }

    private static async Task<bool> Completes(Task task, TimeSpan within) =>
        await Task.WhenAny(task, Task.Delay(within, Ct)) == task;
}
