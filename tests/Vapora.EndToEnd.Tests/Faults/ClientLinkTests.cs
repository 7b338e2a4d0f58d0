using System.Diagnostics;
using Vapora.Testing;
using Vapora.Testing.Faults;

namespace Vapora.EndToEnd.Tests.Faults;

/// <summary>
/// Issue 24, client↔gateway from the gateway's side: a client whose link went quiet (its flow forgotten: no FIN, no
/// RST) holds a socket the gateway must free by itself, within its keep-alive (pings every
/// <c>Gateway__KeepAliveInterval</c>, the pong due within as long again), so abandoned sockets do not pile up.
/// </summary>
public sealed class ClientLinkTests(ITestOutputHelper output)
{
    [Fact]
    public async Task The_gateway_frees_the_socket_of_a_client_whose_link_went_silent_within_its_keep_alive()
    {
        await using var redis = await RedisServer.StartProcessAsync();
        await using var api = await ServiceProcess.StartApiAsync(redis.ConnectionString);
        await using var gateway = await ServiceProcess.StartGatewayAsync(redis.ConnectionString, api.BaseUrl,
            new Dictionary<string, string?> { ["Gateway__KeepAliveInterval"] = "00:00:01" });
        await using var relay = TcpRelay.Start(gateway.Port);
        var created = await new WorkflowApiClient(api.Http).CreateAsync();
        await using var socket = await TestSocket.ConnectAsync(new Uri($"ws://{relay.Endpoint}/api/workflows/{created.WorkflowId}/updates"));
        Assert.Equal(1, (await socket.ReadVersionsAsync(1))[0]);
        Assert.Equal(1, (await gateway.MetricsAsync()).Value("vapora_gateway_connections"));

        relay.Drop();
        var cut = Stopwatch.StartNew();

        await Poll.ForAsync(gateway.MetricsAsync, m => m.Value("vapora_gateway_connections") == 0, TimeSpan.FromSeconds(15),
            "the gateway to drop the socket whose pongs stopped");
        output.WriteLine($"freed {cut.Elapsed.TotalSeconds:0.0} s after the client's link went silent (keep-alive 1 s)");
        // About two or three keep-alive ticks; a loaded machine gets some slack.
        Assert.True(cut.Elapsed < TimeSpan.FromSeconds(8), $"freed only after {cut.Elapsed.TotalSeconds:0.0} s");
    }
}
