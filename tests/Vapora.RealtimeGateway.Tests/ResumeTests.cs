using Vapora.Testing;

namespace Vapora.RealtimeGateway.Tests;

/// <summary>Resuming with ?after=N: every later version exactly once, in order, then live.</summary>
public sealed class ResumeTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    [Fact]
    public async Task Resume_with_after_N_gets_exactly_the_missing_versions_then_live_ones()
    {
        var created = await fixture.Client.CreateAsync();
        for (var step = 1; step <= 10; step++)
        {
            await fixture.Client.ProgressAsync(created.WorkflowId, step);
        }

        await using var socket = await fixture.Gateway.WatchAsync(created.WorkflowId, after: 4);
        var caughtUp = await socket.ReadVersionsAsync(7);
        await fixture.Client.ProgressAsync(created.WorkflowId, 11);
        var live = await socket.ReadVersionsAsync(1);

        Assert.Equal([5L, 6, 7, 8, 9, 10, 11], caughtUp);
        Assert.Equal([12L], live);
    }

    [Fact]
    public async Task Resume_at_the_latest_version_gets_only_live_updates()
    {
        var created = await fixture.Client.CreateAsync();
        await fixture.Client.ProgressAsync(created.WorkflowId, 1);

        await using var socket = await fixture.Gateway.WatchAsync(created.WorkflowId, after: 2);
        await fixture.Client.ProgressAsync(created.WorkflowId, 2);

        Assert.Equal([3L], await socket.ReadVersionsAsync(1));
    }

    [Fact]
    public async Task Resume_from_further_back_than_the_gateways_memory_reads_the_api_history_then_goes_live_without_a_gap()
    {
        await using var gateway = await fixture.StartGatewayAsync(new Dictionary<string, string?>
        {
            ["Gateway__RecentUpdatesPerWorkflow"] = "8",
            ["Gateway__CatchUpPageSize"] = "50",
        });
        var created = await fixture.Client.CreateAsync(totalSteps: 1000);
        await using var watcher = await gateway.WatchAsync(created.WorkflowId);
        await watcher.NextAsync();
        for (var step = 1; step <= 150; step++)
        {
            await fixture.Client.ProgressAsync(created.WorkflowId, step);
        }

        await using var resumer = await gateway.WatchAsync(created.WorkflowId, after: 10);
        // Live updates keep coming while it catches up.
        var producer = Task.Run(async () =>
        {
            for (var step = 151; step <= 200; step++)
            {
                await fixture.Client.ProgressAsync(created.WorkflowId, step);
            }
        }, TestContext.Current.CancellationToken);
        var versions = await resumer.ReadVersionsAsync(191, TimeSpan.FromSeconds(20));
        await producer;

        Assert.Equal(Enumerable.Range(11, 191).Select(v => (long)v), versions);
        Assert.Equal(Enumerable.Range(2, 200).Select(v => (long)v), await watcher.ReadVersionsAsync(200, TimeSpan.FromSeconds(20)));
    }
}
