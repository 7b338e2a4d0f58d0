using Vapora.Contracts;
using Vapora.Testing;

namespace Vapora.Client.Tests;

/// <summary>The client over Server-Sent Events: where a proxy refuses WebSockets, and alone; same resume and give-up rules.</summary>
public sealed class FallbackTests(RedisFixture redis) : IAsyncLifetime
{
    private ServiceProcess _api = null!;

    private WorkflowApiClient Api => new(_api.Http);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _api = await ServiceProcess.StartApiAsync(redis.Server.ConnectionString);

    public ValueTask DisposeAsync() => _api.DisposeAsync();

    [Fact]
    public async Task Behind_a_proxy_that_refuses_websockets_the_client_falls_back_to_server_sent_events_and_resumes_across_a_gateway_kill_without_loss()
    {
        await using var first = await ServiceProcess.StartGatewayAsync(redis.Server.ConnectionString, _api.BaseUrl);
        await using var second = await ServiceProcess.StartGatewayAsync(redis.Server.ConnectionString, _api.BaseUrl);
        await using var nginx = await NginxServer.StartAsync([first.Port, second.Port], _api.Port, refuseWebSockets: true);
        var created = await Api.CreateAsync(totalSteps: 10);
        var stream = Client(nginx.BaseUrl).Watch(created.WorkflowId);
        var transports = new List<StreamTransport>();
        stream.Reconnecting += (_, e) => { lock (transports) { transports.Add(e.Transport); } };
        var versions = new List<long>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var reading = Task.Run(async () =>
        {
            await foreach (var update in stream.ReadAllAsync(stop.Token))
            {
                lock (versions)
                {
                    versions.Add(update.Version);
                }
            }
        }, Ct);

        await Poll.UntilAsync(() => stream.LastVersion == 1, TimeSpan.FromSeconds(20), "the state over Server-Sent Events");
        Assert.Equal(StreamTransport.ServerSentEvents, stream.Transport);
        Assert.Equal(StreamStatus.Live, stream.Status);
        var serving = await Poll.ForAsync(async () =>
        {
            foreach (var gateway in new[] { first, second })
            {
                if ((await gateway.MetricsAsync()).Value("vapora_gateway_connections_by_transport", "transport=\"sse\"") == 1)
                {
                    return gateway;
                }
            }

            return null;
        }, g => g is not null, TimeSpan.FromSeconds(10), "the gateway serving the stream");

        await serving!.KillAsync();
        for (var step = 1; step <= 5; step++)
        {
            await Api.ProgressAsync(created.WorkflowId, step);
        }

        await Poll.UntilAsync(() => stream.LastVersion == 6, TimeSpan.FromSeconds(30), "the client to resume to version 6");
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => reading);
        Assert.Equal(Enumerable.Range(1, 6).Select(v => (long)v), versions);
        Assert.Equal(0, stream.DuplicatesDropped);
        Assert.Contains(StreamTransport.ServerSentEvents, transports);
    }

    [Fact]
    public async Task Over_server_sent_events_a_going_away_close_event_makes_the_client_resume_on_another_replica()
    {
        await using var first = await ServiceProcess.StartGatewayAsync(redis.Server.ConnectionString, _api.BaseUrl,
            new Dictionary<string, string?> { ["Gateway__DrainWindow"] = "00:00:00.200" });
        await using var second = await ServiceProcess.StartGatewayAsync(redis.Server.ConnectionString, _api.BaseUrl);
        await using var nginx = await NginxServer.StartAsync([first.Port, second.Port], _api.Port);
        var created = await Api.CreateAsync();
        var clients = Enumerable.Range(0, 4).Select(_ => Client(nginx.BaseUrl, StreamTransport.ServerSentEvents).Watch(created.WorkflowId)).ToList();
        var closeCodes = new List<int?>();
        foreach (var client in clients)
        {
            client.Reconnecting += (_, e) => { lock (closeCodes) { closeCodes.Add(e.CloseCode); } };
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var runs = clients.Select(c => c.RunAsync(stop.Token)).ToList();
        await Poll.UntilAsync(() => clients.All(c => c.LastVersion == 1), TimeSpan.FromSeconds(15), "every client to get the state");

        Assert.True(await first.TerminateAsync(TimeSpan.FromSeconds(10)), "the first gateway should drain and exit");
        await Api.ProgressAsync(created.WorkflowId, 1);

        await Poll.UntilAsync(() => clients.All(c => c.LastVersion == 2), TimeSpan.FromSeconds(15), "every client to get version 2");
        await stop.CancelAsync();
        lock (closeCodes)
        {
            Assert.Contains(CloseReason.GoingAway.Code, closeCodes.OfType<int>());
        }

        Assert.All(clients, c => Assert.Equal(0, c.DuplicatesDropped));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Task.WhenAll(runs));
    }

    [Fact]
    public async Task Over_server_sent_events_an_unknown_workflow_ends_the_stream_with_its_give_up_code_and_no_retry()
    {
        await using var gateway = await ServiceProcess.StartGatewayAsync(redis.Server.ConnectionString, _api.BaseUrl);
        var stream = Client(gateway.BaseUrl, StreamTransport.ServerSentEvents).Watch("wf_never_created");
        var reconnects = 0;
        stream.Reconnecting += (_, _) => reconnects++;

        var error = await Assert.ThrowsAsync<WorkflowStreamClosedException>(() => stream.RunAsync(Ct));

        Assert.Equal(CloseReason.NotFound.Code, error.CloseCode);
        Assert.Equal(0, reconnects);
    }

    private static WorkflowStreamClient Client(Uri baseUrl, params StreamTransport[] transports) => new(new WorkflowClientOptions
    {
        BaseUrl = baseUrl,
        Transports = transports.Length > 0 ? transports : [StreamTransport.WebSocket, StreamTransport.ServerSentEvents],
        InitialBackoff = TimeSpan.FromMilliseconds(50),
        MaxBackoff = TimeSpan.FromMilliseconds(500),
        MaxReconnectAttempts = null,
    });
}
