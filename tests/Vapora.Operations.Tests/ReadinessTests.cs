using System.Net;
using System.Text.Json;
using StackExchange.Redis;
using Vapora.Testing;

namespace Vapora.Operations.Tests;

/// <summary>Readiness reflects whether a service can do its job (Redis away only degrades it), and comes back when it can again.</summary>
public sealed class ReadinessTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Issue 26 item 1: a Redis outage must not take every pod out of its Service. The API keeps storing (its outbox
    /// publishes later) and a gateway serves its watchers from the API, so both stay ready and report Redis degraded; a
    /// gateway that has neither Redis nor the API is unready.
    /// </summary>
    [Fact]
    public async Task When_redis_stops_both_services_stay_ready_with_redis_degraded_and_a_gateway_without_the_api_too_turns_unready()
    {
        await using var redis = await RedisServer.StartProcessAsync();
        await using var api = await ServiceProcess.StartApiAsync(redis.ConnectionString);
        await using var gateway = await ServiceProcess.StartGatewayAsync(redis.ConnectionString, api.BaseUrl);
        await WaitForReadinessAsync(api, HttpStatusCode.OK);
        await WaitForReadinessAsync(gateway, HttpStatusCode.OK);

        await redis.KillAsync();
        await WaitForCheckAsync(api, "redis", "Degraded");
        await WaitForCheckAsync(gateway, "redis-pubsub", "Degraded");
        var created = await new WorkflowApiClient(api.Http).CreateAsync();
        Assert.Equal(1, created.Version);

        await api.KillAsync();
        var gatewayReport = await WaitForReadinessAsync(gateway, HttpStatusCode.ServiceUnavailable);
        Assert.Equal("Unhealthy", gatewayReport.GetProperty("checks").GetProperty("redis-pubsub").GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.OK, (await gateway.Http.GetAsync("health/live", TestContext.Current.CancellationToken)).StatusCode);

        await api.RestartAsync();
        await redis.StartProcessAgainAsync();
        await WaitForCheckAsync(api, "redis", "Healthy");
        await WaitForCheckAsync(gateway, "redis-pubsub", "Healthy");
    }

    [Fact]
    public async Task With_sentinel_both_services_stay_ready_degraded_while_no_primary_is_reachable_and_what_is_stored_meanwhile_arrives_once_it_returns()
    {
        // A replica Sentinel may never promote: once the primary is killed, there is no primary until it returns.
        await using var sentinel = await RedisSentinelSet.StartAsync(replicaPriority: 0);
        await using var api = await ServiceProcess.StartApiAsync(sentinel.ConnectionString, Settings.Layer(
            RedisAcl.ServiceSettings(RedisAcl.ApiUser), new Dictionary<string, string?> { ["Publishing__OutboxGrace"] = "00:00:01" }));
        await using var gateway = await ServiceProcess.StartGatewayAsync(sentinel.ConnectionString, api.BaseUrl, RedisAcl.ServiceSettings(RedisAcl.GatewayUser));
        await WaitForReadinessAsync(api, HttpStatusCode.OK);
        await WaitForReadinessAsync(gateway, HttpStatusCode.OK);
        var client = new WorkflowApiClient(api.Http);
        var created = await client.CreateAsync();
        await using var socket = await TestSocket.ConnectAsync(gateway.WebSocketUrl($"/api/workflows/{created.WorkflowId}/updates"));
        await socket.NextAsync();
        var primary = await sentinel.PrimaryAsync();
        var replica = sentinel.Nodes.Single(n => n != primary);

        await primary.KillAsync();

        await WaitForCheckAsync(api, "redis", "Degraded");
        await WaitForCheckAsync(gateway, "redis-pubsub", "Degraded");
        Assert.True(await (await replica.AdminAsync()).GetDatabase().PingAsync() >= TimeSpan.Zero, "the replica should still answer");
        // Stored now, but not published into the replica (whose subscribers alone would get it): left to the relay.
        await client.ProgressAsync(created.WorkflowId, 1, "while no primary");
        Assert.Equal(1, (await api.MetricsAsync()).Value("vapora_api_publish_failures_total"));

        await primary.StartProcessAgainAsync();
        await WaitForCheckAsync(api, "redis", "Healthy");
        await WaitForCheckAsync(gateway, "redis-pubsub", "Healthy");
        var update = await socket.NextJsonAsync(Deadline);
        Assert.Equal((2L, "while no primary"), (update.GetProperty("version").GetInt64(), update.GetProperty("message").GetString()));
    }

    [Fact]
    public async Task With_sentinel_an_api_started_before_any_sentinel_answers_is_ready_with_redis_degraded_and_publishes_once_they_do()
    {
        int[] ports = [TestPorts.GetFree(), TestPorts.GetFree(), TestPorts.GetFree()];
        await using var api = await ServiceProcess.StartApiAsync(RedisSentinelSet.ConnectionStringFor(ports), RedisAcl.ServiceSettings(RedisAcl.ApiUser));
        await WaitForCheckAsync(api, "redis", "Degraded");

        await using var sentinel = await RedisSentinelSet.StartAsync(sentinelPorts: ports);

        await WaitForCheckAsync(api, "redis", "Healthy");
        var created = await new WorkflowApiClient(api.Http).CreateAsync();
        await Poll.ForAsync(api.MetricsAsync, m => m.Value("vapora_api_updates_published_total", "path=\"request\"") >= 1,
            Deadline, $"the creation of {created.WorkflowId} to be published on the primary Sentinel names");
    }

    [Fact]
    public async Task A_gateway_whose_pubsub_round_trip_stalls_stays_ready_degraded_while_the_api_answers_and_recovers()
    {
        await using var redis = await RedisServer.StartProcessAsync();
        await using var api = await ServiceProcess.StartApiAsync(redis.ConnectionString);
        await using var gateway = await ServiceProcess.StartGatewayAsync(redis.ConnectionString, api.BaseUrl);
        await WaitForReadinessAsync(gateway, HttpStatusCode.OK);
        var admin = await redis.AdminAsync();

        // Writes (PUBLISH among them) are held for 8 s while the connection stays up: nothing published arrives.
        await admin.GetDatabase().ExecuteAsync("CLIENT", "PAUSE", "8000", "WRITE");
        await WaitForCheckAsync(gateway, "redis-pubsub", "Degraded");

        await admin.GetDatabase().ExecuteAsync("CLIENT", "UNPAUSE");
        await WaitForCheckAsync(gateway, "redis-pubsub", "Healthy");
    }

    [Fact]
    public async Task After_its_redis_connections_are_killed_a_gateway_resubscribes_and_its_clients_miss_nothing()
    {
        await using var redis = await RedisServer.StartProcessAsync();
        await using var api = await ServiceProcess.StartApiAsync(redis.ConnectionString);
        await using var gateway = await ServiceProcess.StartGatewayAsync(redis.ConnectionString, api.BaseUrl);
        var client = new WorkflowApiClient(api.Http);
        var created = await client.CreateAsync();
        await using var socket = await TestSocket.ConnectAsync(gateway.WebSocketUrl($"/api/workflows/{created.WorkflowId}/updates"));
        await socket.NextAsync();
        var admin = await redis.AdminAsync();

        var killed = await KillGatewayConnectionsAsync(admin);
        Assert.True(killed > 0, "the gateway's connections should be found by their client name");
        for (var step = 1; step <= 10; step++)
        {
            await client.ProgressAsync(created.WorkflowId, step);
        }

        var versions = await socket.ReadVersionsAsync(10, TimeSpan.FromSeconds(20));
        Assert.Equal(Enumerable.Range(2, 10).Select(v => (long)v), versions);
        await WaitForReadinessAsync(gateway, HttpStatusCode.OK);
        var metrics = await gateway.MetricsAsync();
        Assert.True(metrics.Value("vapora_gateway_redis_reconnects_total") >= 1);
    }

    private static async Task<long> KillGatewayConnectionsAsync(IConnectionMultiplexer admin)
    {
        var clients = (string)(await admin.GetDatabase().ExecuteAsync("CLIENT", "LIST"))!;
        long killed = 0;
        foreach (var line in clients.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var fields = line.Split(' ').Select(f => f.Split('=', 2)).Where(f => f.Length == 2).ToDictionary(f => f[0], f => f[1]);
            if (fields.GetValueOrDefault("name", "").StartsWith("realtime-gateway-", StringComparison.Ordinal))
            {
                killed += (long)(await admin.GetDatabase().ExecuteAsync("CLIENT", "KILL", "ID", fields["id"]));
            }
        }

        return killed;
    }

    /// <summary>Waits until /health/ready answers 200 with <paramref name="check"/> in <paramref name="status"/>.</summary>
    private static Task<JsonElement> WaitForCheckAsync(ServiceProcess service, string check, string status) =>
        Poll.ForAsync(() => service.WaitForReadinessAsync(HttpStatusCode.OK, Deadline),
            r => r.GetProperty("checks").GetProperty(check).GetProperty("status").GetString() == status, Deadline,
            $"{check} to be {status} with the service ready");

    private static Task<JsonElement> WaitForReadinessAsync(ServiceProcess service, HttpStatusCode expected) =>
        service.WaitForReadinessAsync(expected, Deadline);
}
