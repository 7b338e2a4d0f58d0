using Vapora.Contracts;
using Vapora.Testing;

namespace Vapora.RealtimeGateway.Tests;

/// <summary>
/// What is particular to a real three-node Redis Cluster with sharded pub/sub (SPUBLISH/SSUBSCRIBE): channels on every
/// node, slot migration, node failure, per-node readiness. The foundation suite runs on it as <see cref="ShardedBroadcastTests"/>.
/// </summary>
public sealed class ShardedPubSubTests(ClusterFixture fixture) : IClassFixture<ClusterFixture>
{
    [Fact]
    public async Task Workflows_on_every_node_reach_their_watchers_and_only_theirs()
    {
        // Enough workflows that every node owns some of the channels: ids are random, so 12 of them miss a node about
        // once in 40 runs; more are created until each node has one (at most 60: missing a node then is ~1e-10).
        var ids = new List<string>();
        var owners = new HashSet<int>();
        for (var i = 0; i < 60 && (i < 12 || owners.Count < 3); i++)
        {
            var id = (await fixture.Client.CreateAsync($"spread {i}")).WorkflowId;
            ids.Add(id);
            owners.Add(await fixture.Cluster.OwnerOfAsync(WorkflowChannels.NameFor(id)));
        }

        Assert.Equal(3, owners.Count);
        var sockets = new List<(string Id, TestSocket Socket)>();
        foreach (var id in ids)
        {
            var socket = await fixture.Gateway.WatchAsync(id);
            await socket.NextAsync();
            sockets.Add((id, socket));
        }

        foreach (var id in ids)
        {
            await fixture.Client.ProgressAsync(id, 1);
            await fixture.Client.ProgressAsync(id, 2);
        }

        foreach (var (id, socket) in sockets)
        {
            var frames = new[] { await socket.NextJsonAsync(), await socket.NextJsonAsync() };
            Assert.All(frames, f => Assert.Equal(id, f.GetProperty("workflow_id").GetString()));
            Assert.Equal([2L, 3], frames.Select(f => f.GetProperty("version").GetInt64()));
            await socket.DisposeAsync();
        }
    }

    [Fact]
    public async Task The_shard_channel_is_subscribed_while_watched_and_freed_after()
    {
        var created = await fixture.Client.CreateAsync();
        var channel = WorkflowChannels.NameFor(created.WorkflowId);

        var socket = await fixture.Gateway.WatchAsync(created.WorkflowId);
        await socket.NextAsync();
        Assert.Equal(1, await fixture.Cluster.ShardSubscriberCountAsync(channel));
        await socket.CloseAsync();
        await socket.DisposeAsync();

        await Poll.UntilAsync(async () => await fixture.Cluster.ShardSubscriberCountAsync(channel) == 0, TimeSpan.FromSeconds(15), "the shard channel to be unsubscribed");
    }

    [Fact]
    public async Task Resume_with_after_works_on_the_cluster()
    {
        var created = await fixture.Client.CreateAsync();
        for (var step = 1; step <= 6; step++)
        {
            await fixture.Client.ProgressAsync(created.WorkflowId, step);
        }

        await using var socket = await fixture.Gateway.WatchAsync(created.WorkflowId, after: 3);

        Assert.Equal([4L, 5, 6, 7], await socket.ReadVersionsAsync(4));
    }

    [Fact]
    public async Task Killing_the_node_that_owns_a_watched_workflow_and_restarting_it_loses_no_update()
    {
        var created = await fixture.Client.CreateAsync();
        await using var socket = await fixture.Gateway.WatchAsync(created.WorkflowId);
        await socket.NextAsync();
        var owner = await fixture.Cluster.OwnerOfAsync(WorkflowChannels.NameFor(created.WorkflowId));

        await fixture.Cluster.KillNodeAsync(owner);
        // Stored while the slot's node is down: published later by the outbox relay.
        for (var step = 1; step <= 5; step++)
        {
            await fixture.Client.ProgressAsync(created.WorkflowId, step);
        }

        await fixture.Cluster.RestartNodeAsync(owner);
        for (var step = 6; step <= 8; step++)
        {
            await fixture.Client.ProgressAsync(created.WorkflowId, step);
        }

        Assert.Equal(Enumerable.Range(2, 8).Select(v => (long)v), await socket.ReadVersionsAsync(8, TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task Moving_a_watched_workflows_slot_to_another_node_loses_no_update()
    {
        var created = await fixture.Client.CreateAsync();
        var channel = WorkflowChannels.NameFor(created.WorkflowId);
        await using var socket = await fixture.Gateway.WatchAsync(created.WorkflowId);
        await socket.NextAsync();
        await fixture.Client.ProgressAsync(created.WorkflowId, 1);
        Assert.Equal([2L], await socket.ReadVersionsAsync(1));
        var owner = await fixture.Cluster.OwnerOfAsync(channel);

        await fixture.Cluster.MigrateSlotAsync(channel, fixture.Cluster.Ports.First(p => p != owner));
        for (var step = 2; step <= 6; step++)
        {
            await fixture.Client.ProgressAsync(created.WorkflowId, step);
        }

        Assert.Equal([3L, 4, 5, 6, 7], await socket.ReadVersionsAsync(5, TimeSpan.FromSeconds(30)));
        // The gateway follows the slot: the new owner has the subscriber, so later updates arrive live.
        await Poll.UntilAsync(async () => await fixture.Cluster.ShardSubscriberCountAsync(channel) == 1, TimeSpan.FromSeconds(15), "the gateway to resubscribe on the new owner");
        await fixture.Client.ProgressAsync(created.WorkflowId, 7);
        Assert.Equal([8L], await socket.ReadVersionsAsync(1));
    }

    [Fact]
    public async Task Readiness_probes_every_primary_and_is_degraded_not_failed_while_one_is_down()
    {
        await using var gateway = await fixture.StartGatewayAsync();
        Assert.Equal(System.Net.HttpStatusCode.OK, (await gateway.Http.GetAsync("/health/ready", TestContext.Current.CancellationToken)).StatusCode);
        var created = await fixture.Client.CreateAsync();
        var owner = await fixture.Cluster.OwnerOfAsync(WorkflowChannels.NameFor(created.WorkflowId));
        var down = fixture.Cluster.Ports.First(p => p != owner);

        await fixture.Cluster.KillNodeAsync(down);
        try
        {
            // One node down must not make every gateway unready (issue 26): the gateway serves that shard's workflows
            // from the API meanwhile, and says so.
            await Poll.UntilAsync(async () => (await gateway.Http.GetStringAsync("/health/ready", TestContext.Current.CancellationToken))
                    .Contains("\"redis-pubsub\":{\"status\":\"Degraded\"", StringComparison.Ordinal),
                TimeSpan.FromSeconds(30), "readiness to report the backplane degraded, and stay 200, while a primary is down");
        }
        finally
        {
            await fixture.Cluster.RestartNodeAsync(down);
        }

        await Poll.UntilAsync(async () => (await gateway.Http.GetStringAsync("/health/ready", TestContext.Current.CancellationToken))
                .Contains("\"redis-pubsub\":{\"status\":\"Healthy\"", StringComparison.Ordinal),
            TimeSpan.FromSeconds(30), "the backplane check to recover once the primary is back");
    }
}
