using System.Diagnostics;
using StackExchange.Redis;
using Vapora.Contracts;
using Vapora.EndToEnd.Tests.Load;
using Vapora.Testing;

namespace Vapora.EndToEnd.Tests;

/// <summary>
/// Redis as production runs it, failing under load: a primary is killed (SIGKILL) mid-stream and a replica takes its
/// place, while 200 clients behind nginx watch 20 workflows and 5,000 updates are posted through REST. The services
/// log in with the least-privilege users of deploy/redis/users.acl. Every client must end with every version once, in
/// order: what went into the dead primary or failed in between arrives through the outbox relay and gap repair.
/// </summary>
public sealed class RedisFailoverScenarioTests(ITestOutputHelper output)
{
    private static readonly IReadOnlyDictionary<string, string?> QuickRelay = new Dictionary<string, string?>
    {
        ["Publishing__OutboxPollInterval"] = "00:00:00.250",
        ["Publishing__OutboxGrace"] = "00:00:01",
    };

    [Fact]
    public async Task Sentinel_promotes_the_replica_after_the_primary_is_killed_mid_stream_and_every_client_gets_every_version_once_in_order()
    {
        await using var system = await VaporaSystem.StartAsync(QuickRelay, gateways: 2, backplane: Backplane.Sentinel);
        var sentinel = system.Sentinel!;
        var withoutPrimary = TimeSpan.Zero;
        Task? rejoin = null;

        var report = await new ScenarioRun(system, ScenarioShape.Standard(TimeSpan.FromMilliseconds(30))).RunAsync("sentinel: primary kill -9", async run =>
        {
            var former = await sentinel.PrimaryAsync();
            var killed = Stopwatch.GetTimestamp();
            await former.KillAsync();
            await sentinel.WaitForPromotionAsync(former.Port, TimeSpan.FromSeconds(30));
            withoutPrimary = Stopwatch.GetElapsedTime(killed);
            // The old primary comes back while the stream goes on; Sentinel turns it into a replica of the new one.
            rejoin = former.StartProcessAgainAsync();
        });

        Report(report, withoutPrimary);
        await rejoin!.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        // Back to one primary, named by Sentinel, with the other node its replica (on a loaded machine Sentinel may
        // fail over once more, to the node that came back: either way the pair must settle).
        await Poll.UntilAsync(async () =>
        {
            var primary = await sentinel.PrimaryAsync();
            var other = sentinel.Nodes.Single(n => n != primary);
            var role = (RedisResult[])(await (await other.AdminAsync()).GetDatabase().ExecuteAsync("ROLE"))!;
            return (string?)role[0] == "slave" && (long)role[2] == primary.Port;
        }, TimeSpan.FromSeconds(30), "one node to be Sentinel's primary and the other its replica");
    }

    [Fact]
    public async Task Killing_the_cluster_primary_of_the_busiest_workflow_mid_stream_its_replica_takes_over_and_every_client_gets_every_version_once_in_order()
    {
        await using var system = await VaporaSystem.StartAsync(QuickRelay, gateways: 2, backplane: Backplane.ShardedWithReplicas);
        var cluster = system.Cluster!;
        var withoutPrimary = TimeSpan.Zero;
        Task? rejoin = null;

        var report = await new ScenarioRun(system, ScenarioShape.Standard(TimeSpan.FromMilliseconds(30))).RunAsync("cluster with replicas: primary kill -9", async run =>
        {
            var channel = WorkflowChannels.NameFor(run.Producers.MaxBy(p => p.Posted)!.WorkflowId);
            var owner = await cluster.OwnerOfAsync(channel);
            var killed = Stopwatch.GetTimestamp();
            await cluster.KillNodeAsync(owner);
            await cluster.WaitForFailoverAsync(channel, owner, TimeSpan.FromSeconds(30));
            withoutPrimary = Stopwatch.GetElapsedTime(killed);
            rejoin = cluster.RestartNodeAsync(owner);
        });

        Report(report, withoutPrimary);
        await rejoin!.WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
    }

    private void Report(ScenarioReport report, TimeSpan withoutPrimary)
    {
        output.WriteLine($"without a primary: {withoutPrimary.TotalMilliseconds:0} ms; caught up median {report.ConvergedMedianMs:0} ms, max {report.ConvergedMaxMs:0} ms");
        (report with { Name = $"{report.Name} (no primary for {withoutPrimary.TotalMilliseconds:0} ms)" }).AssertNoLoss(output);
    }
}
