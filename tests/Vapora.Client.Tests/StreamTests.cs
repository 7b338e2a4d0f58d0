using System.Diagnostics;
using Vapora.Contracts;
using Vapora.Testing;
using Vapora.Testing.Faults;

[assembly: AssemblyFixture(typeof(RedisFixture))]

namespace Vapora.Client.Tests;

/// <summary>
/// The client against real gateways, over WebSockets and Server-Sent Events: it resumes across server closes and
/// restarts, gives up on terminal codes, falls back to Server-Sent Events where WebSockets do not get through, and
/// leaves a connection that went silent by itself.
/// </summary>
public sealed class StreamTests(RedisFixture redis, ITestOutputHelper output) : IAsyncLifetime
{
    private ServiceProcess _api = null!;

    private WorkflowApiClient Api => new(_api.Http);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _api = await ServiceProcess.StartApiAsync(redis.Server.ConnectionString);

    public ValueTask DisposeAsync() => _api.DisposeAsync();

    [Fact]
    public async Task The_stream_starts_with_the_state_and_delivers_every_update_in_order()
    {
        await using var gateway = await ServiceProcess.StartGatewayAsync(redis.Server.ConnectionString, _api.BaseUrl);
        var created = await Api.CreateAsync("client", totalSteps: 5);
        var stream = Client(gateway.BaseUrl).Watch(created.WorkflowId);
        var events = new List<long>();
        stream.UpdateReceived += (_, u) => events.Add(u.Version);

        var received = new List<WorkflowUpdate>();
        await foreach (var update in stream.ReadAllAsync(Ct))
        {
            received.Add(update);
            if (update.Version == 1)
            {
                for (var step = 1; step <= 5; step++)
                {
                    await Api.ProgressAsync(created.WorkflowId, step);
                }
            }

            if (update.Version == 6)
            {
                break;
            }
        }

        Assert.Equal([1L, 2, 3, 4, 5, 6], received.Select(u => u.Version));
        Assert.Equal(received.Select(u => u.Version), events);
        Assert.Equal(("client", 6L, 5), (stream.State!.Name, stream.State.Version, stream.State.CurrentStep));
        Assert.Equal(StreamStatus.Stopped, stream.Status);
    }

    [Fact]
    public async Task The_client_resumes_after_a_gateway_is_killed_and_comes_back_without_missing_a_version()
    {
        await using var gateway = await ServiceProcess.StartGatewayAsync(redis.Server.ConnectionString, _api.BaseUrl);
        var created = await Api.CreateAsync();
        var stream = Client(gateway.BaseUrl).Watch(created.WorkflowId, afterVersion: 0);
        var reconnects = new List<ReconnectingEventArgs>();
        stream.Reconnecting += (_, e) => { lock (reconnects) { reconnects.Add(e); } };
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var (versions, reading) = ReadInBackground(stream, stop.Token);
        await Poll.UntilAsync(() => stream.LastVersion == 1, TimeSpan.FromSeconds(10), "the first version");

        await gateway.KillAsync();
        for (var step = 1; step <= 10; step++)
        {
            await Api.ProgressAsync(created.WorkflowId, step);
        }

        await Poll.UntilAsync(() => { lock (reconnects) { return reconnects.Count > 0; } }, TimeSpan.FromSeconds(10), "a reconnect to be announced");
        await gateway.RestartAsync();
        await Poll.UntilAsync(() => stream.LastVersion == 11, TimeSpan.FromSeconds(30), "the client to resume to version 11");
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => reading);

        Assert.Equal(Enumerable.Range(1, 11).Select(v => (long)v), versions);
        Assert.Equal(1, reconnects[0].LastVersion);
    }

    [Theory]
    [InlineData(StreamTransport.WebSocket)]
    [InlineData(StreamTransport.ServerSentEvents)]
    public async Task A_going_away_close_from_a_draining_gateway_makes_the_client_resume_on_another_replica(StreamTransport transport)
    {
        await using var first = await ServiceProcess.StartGatewayAsync(redis.Server.ConnectionString, _api.BaseUrl,
            new Dictionary<string, string?> { ["Gateway__DrainWindow"] = "00:00:00.200" });
        await using var second = await ServiceProcess.StartGatewayAsync(redis.Server.ConnectionString, _api.BaseUrl);
        await using var nginx = await NginxServer.StartAsync([first.Port, second.Port], _api.Port);
        var created = await Api.CreateAsync();
        var clients = Enumerable.Range(0, 6).Select(_ => Client(nginx.BaseUrl, transport).Watch(created.WorkflowId)).ToList();
        var closeCodes = new List<int?>();
        foreach (var client in clients)
        {
            client.Reconnecting += (_, e) => { lock (closeCodes) { closeCodes.Add(e.CloseCode); } };
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var runs = clients.Select(c => c.RunAsync(stop.Token)).ToList();
        await Poll.UntilAsync(() => clients.All(c => c.LastVersion == 1), TimeSpan.FromSeconds(10), "every client to get the state");

        Assert.True(await first.TerminateAsync(TimeSpan.FromSeconds(10)), "the first gateway should drain and exit");
        await Api.ProgressAsync(created.WorkflowId, 1);

        await Poll.UntilAsync(() => clients.All(c => c.LastVersion == 2), TimeSpan.FromSeconds(15), "every client to get version 2");
        await stop.CancelAsync();
        lock (closeCodes)
        {
            Assert.Contains(CloseReason.GoingAway.Code, closeCodes.OfType<int>());
        }

        Assert.All(clients, c => Assert.Equal(transport, c.Transport));
        Assert.All(clients, c => Assert.Equal(0, c.DuplicatesDropped));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Task.WhenAll(runs));
    }

    [Theory]
    [InlineData(StreamTransport.WebSocket)]
    [InlineData(StreamTransport.ServerSentEvents)]
    public async Task An_unknown_workflow_ends_the_stream_with_its_give_up_code_and_no_retry(StreamTransport transport)
    {
        await using var gateway = await ServiceProcess.StartGatewayAsync(redis.Server.ConnectionString, _api.BaseUrl);
        var stream = Client(gateway.BaseUrl, transport).Watch("wf_never_created");
        var reconnects = 0;
        stream.Reconnecting += (_, _) => reconnects++;

        var error = await Assert.ThrowsAsync<WorkflowStreamClosedException>(() => stream.RunAsync(Ct));

        Assert.Equal(CloseReason.NotFound.Code, error.CloseCode);
        Assert.Equal(0, reconnects);
        Assert.Equal(StreamStatus.Stopped, stream.Status);
    }

    [Fact]
    public async Task Resuming_after_a_version_the_workflow_never_had_gets_the_state_as_a_reset_and_goes_on_from_its_version()
    {
        await using var gateway = await ServiceProcess.StartGatewayAsync(redis.Server.ConnectionString, _api.BaseUrl);
        var created = await Api.CreateAsync();
        var stream = Client(gateway.BaseUrl).Watch(created.WorkflowId, afterVersion: 99);
        WorkflowState? reset = null;
        stream.ResetReceived += (_, state) => reset = state;

        await using var updates = stream.ReadAllAsync(Ct).GetAsyncEnumerator(Ct);
        Assert.True(await updates.MoveNextAsync());
        var first = updates.Current;
        await Api.ProgressAsync(created.WorkflowId, 1);
        Assert.True(await updates.MoveNextAsync());

        Assert.Equal(1, first.Version);
        Assert.True(reset?.Reset);
        Assert.Equal(created.Name, stream.State?.Name);
        Assert.Equal(2, updates.Current.Version);
        Assert.Equal(2, stream.LastVersion);
    }

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
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var (versions, reading) = ReadInBackground(stream, stop.Token);

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
    public void An_invalid_id_is_refused_before_connecting()
    {
        Assert.Throws<ArgumentException>(() => Client(new Uri("ws://127.0.0.1:1")).Watch("bad*id"));
    }

    /// <summary>Reads the stream on the thread pool until <paramref name="stop"/>; the versions as they arrive (lock it to read).</summary>
    private static (List<long> Versions, Task Reading) ReadInBackground(WorkflowStream stream, CancellationToken stop)
    {
        var versions = new List<long>();
        var reading = Task.Run(async () =>
        {
            await foreach (var update in stream.ReadAllAsync(stop))
            {
                lock (versions)
                {
                    versions.Add(update.Version);
                }
            }
        }, Ct);
        return (versions, reading);
    }

    /// <summary>
    /// Issue 24, client↔load balancer: the flow between the client and nginx is forgotten (as by a NAT or a cloud load
    /// balancer): no FIN, no RST, the held bytes never arrive, new connections work. With its default keep-alive the
    /// client must leave that socket by itself and be live again through the load balancer within its bound (about
    /// 12 s: a ping every 4 s, checked for its pong at the following keep-alive ticks), missing nothing.
    /// </summary>
    [Fact]
    public async Task A_forgotten_flow_to_the_load_balancer_is_left_by_the_default_keep_alive_and_the_stream_resumes_without_loss()
    {
        await using var first = await ServiceProcess.StartGatewayAsync(redis.Server.ConnectionString, _api.BaseUrl);
        await using var second = await ServiceProcess.StartGatewayAsync(redis.Server.ConnectionString, _api.BaseUrl);
        await using var nginx = await NginxServer.StartAsync([first.Port, second.Port], _api.Port);
        await using var relay = TcpRelay.Start(nginx.Port);
        var created = await Api.CreateAsync();
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
        await Api.ProgressAsync(created.WorkflowId, 1);
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

    /// <summary>A client with quick reconnects, on the given transports (default: WebSocket, then Server-Sent Events).</summary>
    private static WorkflowStreamClient Client(Uri baseUrl, params StreamTransport[] transports) => new(new WorkflowClientOptions
    {
        BaseUrl = baseUrl,
        Transports = transports.Length > 0 ? transports : [StreamTransport.WebSocket, StreamTransport.ServerSentEvents],
        InitialBackoff = TimeSpan.FromMilliseconds(50),
        MaxBackoff = TimeSpan.FromMilliseconds(500),
        MaxReconnectAttempts = null,
    });
}
