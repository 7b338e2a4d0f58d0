using System.Diagnostics;
using Vapora.Testing;

namespace Vapora.EndToEnd.Tests.Faults;

/// <summary>
/// Issue 24, Redis itself stalled: <c>CLIENT PAUSE … ALL</c> makes Redis take every connection's commands and answer
/// none of them for a while, publishes and the gateway's probe included, as a frozen or overloaded Redis does. PATCHes
/// must stay bounded (their publish gives up and the outbox relay publishes later), watchers must not wait for the
/// whole stall (the gateway reads the API meanwhile), and nothing is lost, repeated or reordered.
/// </summary>
public sealed class RedisStallTests(ITestOutputHelper output)
{
    // Longer than the staleness bound below, so a watcher that waited for the stall to end could not pass.
    private static readonly TimeSpan Stall = TimeSpan.FromSeconds(9);

    [Fact]
    public async Task A_paused_redis_holds_no_patch_leaves_watchers_seconds_behind_and_loses_nothing()
    {
        await using var redis = await RedisServer.StartProcessAsync();
        await using var api = await ServiceProcess.StartApiAsync(redis.ConnectionString, new Dictionary<string, string?>
        {
            ["Publishing__OutboxPollInterval"] = "00:00:00.250",
            ["Publishing__OutboxGrace"] = "00:00:01",
        });
        await using var gateway = await ServiceProcess.StartGatewayAsync(redis.ConnectionString, api.BaseUrl);
        await using var run = await StalenessRun.StartAsync(new WorkflowApiClient(api.Http), gateway, workflows: 3, TimeSpan.FromMilliseconds(200));

        var stalled = Stopwatch.StartNew();
        var admin = await redis.AdminAsync();
        await admin.GetDatabase().ExecuteAsync("CLIENT", "PAUSE", ((long)Stall.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture), "ALL");
        await Poll.ForAsync(gateway.MetricsAsync, m => m.Value("vapora_gateway_degraded") == 1, Stall, "the gateway to read the API while Redis answers nothing");
        output.WriteLine($"degraded mode after {stalled.Elapsed.TotalSeconds:0.0} s");
        await Poll.UntilAsync(() => stalled.Elapsed >= Stall + TimeSpan.FromSeconds(2), Stall + TimeSpan.FromSeconds(5), "the stall to end and updates to flow again");

        var report = await run.StopAsync();
        output.WriteLine(report.ToString());
        Assert.Equal((0, 0, 0), (report.Lost, report.Duplicated, report.Reordered));
        // Targets 2 s and 5 s (docs/operations.md, "Quiet faults"); the suite allows for a loaded machine.
        Assert.True(report.SlowestPatch < TimeSpan.FromSeconds(3), $"slowest PATCH {report.SlowestPatch.TotalSeconds:0.00} s");
        Assert.True(report.Worst < TimeSpan.FromSeconds(6), $"worst staleness {report.Worst.TotalSeconds:0.0} s during a {Stall.TotalSeconds:0} s stall");
    }
}
