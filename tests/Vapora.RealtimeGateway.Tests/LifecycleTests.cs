using Vapora.Contracts;
using Vapora.Testing;

namespace Vapora.RealtimeGateway.Tests;

/// <summary>What a connection holds is freed when it ends, cleanly or not. Each test has a gateway of its own, so counts are exact.</summary>
public sealed class LifecycleTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task Both_socket_kinds_see_a_workflow_go_from_pending_to_running_to_completed_in_order()
    {
        var created = await fixture.Client.CreateAsync(totalSteps: 10);
        await using var stream = await fixture.Gateway.WatchAsync(created.WorkflowId);
        await using var multiplex = await TestSocket.ConnectAsync(fixture.Gateway.WebSocketUrl("/ws"));
        await multiplex.SendAsync($$"""{"type":"subscribe","workflow_id":"{{created.WorkflowId}}"}""");
        Assert.Equal("subscribed", (await multiplex.NextJsonAsync()).GetProperty("type").GetString());

        await fixture.Client.UpdateAsync(created.WorkflowId, new UpdateWorkflowRequest { Status = WorkflowStatus.Running, CurrentStep = 1 });
        await fixture.Client.ProgressAsync(created.WorkflowId, 5, "halfway");
        await fixture.Client.UpdateAsync(created.WorkflowId, new UpdateWorkflowRequest { Status = WorkflowStatus.Completed, CurrentStep = 10 });

        (long, string)[] expected = [(1, "pending"), (2, "running"), (3, "running"), (4, "completed")];
        foreach (var socket in new[] { stream, multiplex })
        {
            var seen = new List<(long, string)>();
            for (var i = 0; i < expected.Length; i++)
            {
                var update = (await socket.NextJsonAsync()).UpdateOf();
                seen.Add((update.GetProperty("version").GetInt64(), update.GetProperty("status").GetString()!));
            }

            Assert.Equal(expected, seen);
        }
    }

    [Fact]
    public async Task Full_websocket_lifecycle_connect_updates_close_and_the_server_frees_the_subscription_and_the_redis_channel()
    {
        await using var gateway = await fixture.StartGatewayAsync();
        var created = await fixture.Client.CreateAsync();
        var channel = WorkflowChannels.NameFor(created.WorkflowId);

        var socket = await gateway.WatchAsync(created.WorkflowId);
        await socket.NextAsync();
        Assert.Equal(1, await fixture.Redis.SubscriberCountAsync(channel));
        var open = await gateway.MetricsAsync();
        Assert.Equal(1, open.Value("vapora_gateway_connections"));
        Assert.Equal(1, open.Value("vapora_gateway_workflows_watched"));

        await fixture.Client.ProgressAsync(created.WorkflowId, 1);
        Assert.Equal([2L], await socket.ReadVersionsAsync(1));
        await socket.CloseAsync();

        Assert.Equal(1000, await socket.Closed);
        await AssertEverythingFreedAsync(gateway, [channel]);
        await socket.DisposeAsync();
    }

    [Fact]
    public async Task Disconnection_handling_abrupt_client_loss_leaks_no_connection_subscription_queue_or_channel()
    {
        await using var gateway = await fixture.StartGatewayAsync();
        var ids = new List<string>();
        for (var w = 0; w < 4; w++)
        {
            ids.Add((await fixture.Client.CreateAsync($"abrupt {w}")).WorkflowId);
        }

        var sockets = new List<TestSocket>();
        foreach (var id in ids)
        {
            for (var i = 0; i < 5; i++)
            {
                var socket = await gateway.WatchAsync(id);
                await socket.NextAsync();
                sockets.Add(socket);
            }
        }

        Assert.Equal(20, (await gateway.MetricsAsync()).Value("vapora_gateway_connections"));
        foreach (var socket in sockets)
        {
            socket.Abort();
        }

        // Updates keep flowing while the server notices the losses.
        foreach (var id in ids)
        {
            await fixture.Client.ProgressAsync(id, 1);
        }

        await AssertEverythingFreedAsync(gateway, ids.Select(WorkflowChannels.NameFor).ToList());
        foreach (var socket in sockets)
        {
            await socket.DisposeAsync();
        }

        // And the gateway still serves.
        await using var fresh = await gateway.WatchAsync(ids[0]);
        Assert.Equal([2L], await fresh.ReadVersionsAsync(1));
    }

    [Fact]
    public async Task A_gateway_at_its_connection_limit_closes_new_sockets_with_try_again_later()
    {
        await using var gateway = await fixture.StartGatewayAsync(new Dictionary<string, string?> { ["Gateway__MaxConnections"] = "2" });
        var created = await fixture.Client.CreateAsync();
        await using var one = await gateway.WatchAsync(created.WorkflowId);
        await using var two = await gateway.WatchAsync(created.WorkflowId);
        await one.NextAsync();
        await two.NextAsync();

        await using var three = await gateway.WatchAsync(created.WorkflowId);

        Assert.Equal(CloseReason.TryAgainLater.Code, await three.WaitClosedAsync());
        var metrics = await gateway.MetricsAsync();
        Assert.Equal(1, metrics.Value("vapora_gateway_inbound_rejected_total", "reason=\"connection_limit\""));
        Assert.Equal(2, metrics.Value("vapora_gateway_connections_limit"));
    }

    private async Task AssertEverythingFreedAsync(ServiceProcess gateway, IReadOnlyList<string> channels)
    {
        var metrics = await Poll.ForAsync(gateway.MetricsAsync,
            m => m.Value("vapora_gateway_connections") == 0
                && m.Value("vapora_gateway_subscriptions") == 0
                && m.Value("vapora_gateway_send_queue_depth") == 0
                && m.Value("vapora_gateway_workflows_watched") == 0
                && m.Value("vapora_gateway_redis_channels") == 0,
            Settle, "connections, subscriptions, queued frames, watched workflows and channels to return to zero");
        Assert.True(metrics.Has("vapora_gateway_connections"));
        foreach (var channel in channels)
        {
            await Poll.UntilAsync(async () => await fixture.Redis.SubscriberCountAsync(channel) == 0, Settle, $"Redis to report no subscriber on {channel}");
        }
    }
}
