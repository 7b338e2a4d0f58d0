using System.Diagnostics;
using Vapora.Testing;
using Vapora.Testing.Faults;

namespace Vapora.Client.Tests;

/// <summary>
/// Issue 24, client↔load balancer: the flow between the client and nginx is forgotten (as by a NAT or a cloud load
/// balancer): no FIN, no RST, the held bytes never arrive, new connections work. With its default keep-alive the
/// client must leave that socket by itself and be live again through the load balancer within its bound (about 12 s:
/// a ping every 4 s, checked for its pong at the following keep-alive ticks), missing nothing.
/// </summary>
public sealed class SilentLinkTests(RedisFixture redis, ITestOutputHelper output) : IAsyncLifetime
{
    private ServiceProcess _api = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _api = await ServiceProcess.StartApiAsync(redis.Server.ConnectionString);

    public ValueTask DisposeAsync() => _api.DisposeAsync();

    [Fact]
    public async Task A_forgotten_flow_to_the_load_balancer_is_left_by_the_default_keep_alive_and_the_stream_resumes_without_loss()
    {
        await using var first = await ServiceProcess.StartGatewayAsync(redis.Server.ConnectionString, _api.BaseUrl);
        await using var second = await ServiceProcess.StartGatewayAsync(redis.Server.ConnectionString, _api.BaseUrl);
        await using var nginx = await NginxServer.StartAsync([first.Port, second.Port], _api.Port);
        await using var relay = TcpRelay.Start(nginx.Port);
        var api = new WorkflowApiClient(_api.Http);
        var created = await api.CreateAsync();
        // Defaults but for the reconnect cap: the keep-alive under test is the shipped one.
        var stream = new WorkflowStreamClient(new WorkflowClientOptions { BaseUrl = new Uri($"http://{relay.Endpoint}/"), MaxReconnectAttempts = null })
            .Watch(created.WorkflowId);
        var versions = new List<long>();
        stream.UpdateReceived += (_, u) => { lock (versions) { versions.Add(u.Version); } };
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var run = stream.RunAsync(stop.Token);
        await Poll.UntilAsync(() => stream.LastVersion == 1, TimeSpan.FromSeconds(10), "the state");

        // A NAT that forgot its flows: the open one never carries another byte, new ones pass.
        relay.Drop();
        relay.Heal();
        var cut = Stopwatch.StartNew();
        await api.ProgressAsync(created.WorkflowId, 1);
        await Poll.UntilAsync(() => stream.LastVersion == 2, TimeSpan.FromSeconds(25), "version 2 on a new connection");
        var liveAgain = cut.Elapsed;
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);

        output.WriteLine($"live again {liveAgain.TotalSeconds:0.0} s after the flow was forgotten");
        lock (versions)
        {
            Assert.Equal([1L, 2], versions);
        }

        // Target 12 s plus the first backoff and a connect; the suite allows for a loaded machine.
        Assert.True(liveAgain < TimeSpan.FromSeconds(18), $"live again only after {liveAgain.TotalSeconds:0.0} s");
    }
}
