using System.Text;
using StackExchange.Redis;
using Vapora.Contracts;
using Vapora.Testing;

namespace Vapora.Operations.Tests;

/// <summary>
/// During an upgrade a newer API may publish an update with a status this gateway does not know (docs/operations.md,
/// "Upgrades"). The gateway of this version forwards it to its watchers as it came and serves it in the state a new
/// watcher starts with, instead of dropping it as malformed.
/// </summary>
public sealed class UpgradeCompatibilityTests
{
    [Fact]
    public async Task A_gateway_forwards_an_update_with_a_status_it_does_not_know_and_serves_it_in_the_state()
    {
        await using var redis = await RedisServer.StartProcessAsync();
        await using var api = await ServiceProcess.StartApiAsync(redis.ConnectionString);
        await using var gateway = await ServiceProcess.StartGatewayAsync(redis.ConnectionString, api.BaseUrl);
        var created = await new WorkflowApiClient(api.Http).CreateAsync("upgrade");
        await using var watcher = await TestSocket.ConnectAsync(gateway.WebSocketUrl($"/api/workflows/{created.WorkflowId}/updates"));
        await watcher.NextAsync();

        // What a newer API publishes: version 2 with a status this version does not know.
        var newer = $$"""{"workflow_id":"{{created.WorkflowId}}","version":2,"status":"paused","current_step":0,"total_steps":100,"message":"waiting for approval","timestamp":"{{DateTime.UtcNow:yyyy-MM-ddTHH:mm:ss.fff}}Z"}""";
        var admin = await redis.AdminAsync();
        await admin.GetSubscriber().PublishAsync(RedisChannel.Literal(WorkflowChannels.NameFor(created.WorkflowId)), Encoding.UTF8.GetBytes(newer));

        Assert.Equal(newer, await watcher.NextAsync());
        await using var late = await TestSocket.ConnectAsync(gateway.WebSocketUrl($"/api/workflows/{created.WorkflowId}/updates"));
        var state = await late.NextJsonAsync();
        Assert.Equal((2L, "paused", "upgrade"), (state.GetProperty("version").GetInt64(), state.GetProperty("status").GetString(), state.GetProperty("name").GetString()));
        var metrics = await gateway.MetricsAsync();
        Assert.Equal(0, metrics.Value("vapora_gateway_messages_dropped_total", "reason=\"malformed\""));
    }
}
