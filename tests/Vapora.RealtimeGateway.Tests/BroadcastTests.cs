using System.Text.Json;
using Vapora.Contracts;
using Vapora.Testing;

namespace Vapora.RealtimeGateway.Tests;

/// <summary>REST update → Redis (one server, PUBLISH/SUBSCRIBE) → gateway → WebSocket, with real processes and sockets.</summary>
public sealed class BroadcastTests(GatewayFixture fixture) : BroadcastSuite(fixture), IClassFixture<GatewayFixture>;

/// <summary>The same suite on a real three-node Redis Cluster with sharded pub/sub (SPUBLISH/SSUBSCRIBE).</summary>
public sealed class ShardedBroadcastTests(ClusterFixture fixture) : BroadcastSuite(fixture), IClassFixture<ClusterFixture>;

/// <summary>REST update → Redis → gateway → WebSocket, with real processes and sockets, for either backplane.</summary>
public abstract class BroadcastSuite(ISystemFixture fixture)
{
    [Fact]
    public async Task Broadcast_basic_a_patch_reaches_a_watching_client_as_the_stored_update()
    {
        var created = await fixture.Client.CreateAsync("broadcast", totalSteps: 10);
        await using var socket = await fixture.Gateway.WatchAsync(created.WorkflowId);

        var first = await socket.NextJsonAsync();
        var applied = await fixture.Client.ProgressAsync(created.WorkflowId, 3, "Building images");
        var update = await socket.NextAsync();

        Assert.Equal(1, first.GetProperty("version").GetInt64());
        Assert.Equal("broadcast", first.GetProperty("name").GetString());
        var history = await fixture.Client.HistoryAsync(created.WorkflowId, after: 1);
        Assert.Equal(JsonSerializer.Serialize(history[0], VaporaJsonContext.Default.WorkflowUpdate), update);
        Assert.Equal(applied.ToUpdate(), JsonSerializer.Deserialize(update, VaporaJsonContext.Default.WorkflowUpdate));
    }

    [Fact]
    public async Task Multiple_subscribers_all_receive_every_update()
    {
        var created = await fixture.Client.CreateAsync();
        var sockets = new List<TestSocket>();
        for (var i = 0; i < 5; i++)
        {
            var socket = await fixture.Gateway.WatchAsync(created.WorkflowId);
            Assert.Equal(1, (await socket.NextJsonAsync()).GetProperty("version").GetInt64());
            sockets.Add(socket);
        }

        for (var step = 1; step <= 3; step++)
        {
            await fixture.Client.ProgressAsync(created.WorkflowId, step);
        }

        foreach (var socket in sockets)
        {
            Assert.Equal([2L, 3, 4], await socket.ReadVersionsAsync(3));
            await socket.DisposeAsync();
        }
    }

    [Fact]
    public async Task Filtering_a_client_of_workflow_A_never_sees_workflow_B()
    {
        var a = await fixture.Client.CreateAsync("A");
        var b = await fixture.Client.CreateAsync("B");
        await using var watchesA = await fixture.Gateway.WatchAsync(a.WorkflowId);
        await using var watchesB = await fixture.Gateway.WatchAsync(b.WorkflowId);
        await watchesA.NextAsync();
        await watchesB.NextAsync();

        for (var step = 1; step <= 5; step++)
        {
            await fixture.Client.ProgressAsync(b.WorkflowId, step);
        }

        await fixture.Client.ProgressAsync(a.WorkflowId, 1);

        var frameA = await watchesA.NextJsonAsync();
        var framesB = new List<JsonElement>();
        for (var i = 0; i < 5; i++)
        {
            framesB.Add(await watchesB.NextJsonAsync());
        }

        Assert.Equal(a.WorkflowId, frameA.GetProperty("workflow_id").GetString());
        Assert.Equal(2, frameA.GetProperty("version").GetInt64());
        Assert.All(framesB, f => Assert.Equal(b.WorkflowId, f.GetProperty("workflow_id").GetString()));
        Assert.False(watchesA.TryNext(out var extra), "A received a frame that was not its own: " + extra);
    }

    [Fact]
    public async Task Hundred_plus_concurrent_connections_on_several_workflows_each_receive_exactly_their_versions_in_order()
    {
        const int workflows = 6, watchersEach = 20, updates = 25;
        var ids = new List<string>();
        for (var w = 0; w < workflows; w++)
        {
            ids.Add((await fixture.Client.CreateAsync($"load {w}", totalSteps: updates)).WorkflowId);
        }

        var watchers = (await Task.WhenAll(ids.SelectMany(id => Enumerable.Range(0, watchersEach).Select(async _ =>
        {
            var socket = await fixture.Gateway.WatchAsync(id);
            Assert.Equal(1, (await socket.NextJsonAsync()).GetProperty("version").GetInt64());
            return (Id: id, Socket: socket);
        })))).ToList();

        // Workflows are updated concurrently; each one's updates are sequential (one producer per workflow).
        await Task.WhenAll(ids.Select(async id =>
        {
            for (var step = 1; step <= updates; step++)
            {
                await fixture.Client.ProgressAsync(id, step);
            }
        }));

        var expected = Enumerable.Range(2, updates).Select(v => (long)v).ToList();
        await Task.WhenAll(watchers.Select(async watcher =>
        {
            var frames = new List<JsonElement>();
            for (var i = 0; i < updates; i++)
            {
                frames.Add(await watcher.Socket.NextJsonAsync(TimeSpan.FromSeconds(30)));
            }

            Assert.All(frames, f => Assert.Equal(watcher.Id, f.GetProperty("workflow_id").GetString()));
            Assert.Equal(expected, frames.Select(f => f.GetProperty("version").GetInt64()));
        }));

        foreach (var watcher in watchers)
        {
            await watcher.Socket.DisposeAsync();
        }
    }

    [Fact]
    public async Task Two_gateway_processes_one_update_both_gateways_clients_receive_it()
    {
        await using var second = await fixture.StartGatewayAsync();
        var created = await fixture.Client.CreateAsync();
        await using var onFirst = await fixture.Gateway.WatchAsync(created.WorkflowId);
        await using var onSecond = await second.WatchAsync(created.WorkflowId);
        await onFirst.NextAsync();
        await onSecond.NextAsync();

        await fixture.Client.ProgressAsync(created.WorkflowId, 1, "once");

        var a = await onFirst.NextAsync();
        var b = await onSecond.NextAsync();
        Assert.Equal(a, b);
        Assert.Contains("\"version\":2", a, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_first_frame_is_the_current_state()
    {
        var created = await fixture.Client.CreateAsync("stateful", totalSteps: 9);
        await fixture.Client.ProgressAsync(created.WorkflowId, 4, "four");
        var current = await fixture.Client.ProgressAsync(created.WorkflowId, 5, "five");

        await using var socket = await fixture.Gateway.WatchAsync(created.WorkflowId);
        var first = await socket.NextAsync();

        Assert.Equal(current, JsonSerializer.Deserialize(first, VaporaJsonContext.Default.WorkflowState));
    }
}
