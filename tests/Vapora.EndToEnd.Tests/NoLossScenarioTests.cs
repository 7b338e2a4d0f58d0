using Vapora.EndToEnd.Tests.Load;
using Vapora.Testing;

namespace Vapora.EndToEnd.Tests;

/// <summary>
/// The no-loss guarantee under faults, through a real nginx with no affinity in front of three gateways:
/// 200 clients over 20 workflows, 5,000 updates posted through REST while the fault happens. Every client must
/// end with every version of its workflow exactly once, in order.
/// </summary>
public sealed class NoLossScenarioTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(Backplane.Classic)]
    [InlineData(Backplane.Sharded)]
    public async Task Kill_minus_9_one_gateway_mid_stream_clients_resume_on_the_others_without_loss(Backplane backplane)
    {
        await using var system = await VaporaSystem.StartAsync(backplane: backplane);

        var report = await new ScenarioRun(system, ScenarioShape.Standard()).RunAsync($"gateway kill -9 ({backplane})", async run =>
        {
            await run.System.Gateways[0].KillAsync();
        });

        AssertNoLoss(report);
        Assert.True(report.ClientsReconnected > 0, "clients of the killed gateway should have reconnected");
    }

    /// <summary>Classic: the one Redis. Sharded: the cluster node that owns the busiest workflow's slot.</summary>
    [Theory]
    [InlineData(Backplane.Classic)]
    [InlineData(Backplane.Sharded)]
    public async Task Restart_redis_mid_stream_every_update_still_arrives_once_in_order(Backplane backplane)
    {
        await using var system = await VaporaSystem.StartAsync(new Dictionary<string, string?>
        {
            ["Publishing__OutboxPollInterval"] = "00:00:00.250",
            ["Publishing__OutboxGrace"] = "00:00:01",
        }, backplane: backplane);

        var report = await new ScenarioRun(system, ScenarioShape.Standard()).RunAsync($"redis restart ({backplane})", async run =>
        {
            var busiest = run.Producers.MaxBy(p => p.Posted)!.WorkflowId;
            await run.System.RestartRedisCarryingAsync(busiest);
        });

        AssertNoLoss(report);
    }

    [Theory]
    [InlineData(Backplane.Classic)]
    [InlineData(Backplane.Sharded)]
    public async Task Kill_minus_9_the_api_between_store_and_publish_and_restart_it_the_relay_publishes_the_stored_update(Backplane backplane)
    {
        const string crash = "crash-before-publish";
        var data = Directory.CreateTempSubdirectory("vapora-e2e-sqlite-");
        await using var system = await VaporaSystem.StartAsync(Settings.Layer(new Dictionary<string, string?>
        {
            ["Storage__Provider"] = "sqlite",
            ["ConnectionStrings__sqlite"] = $"Data Source={Path.Combine(data.FullName, "vapora.db")}",
            ["Publishing__OutboxPollInterval"] = "00:00:00.250",
            ["Publishing__OutboxGrace"] = "00:00:01",
        }, FaultInjection.CrashBeforePublishWhenMessageIs(crash)), backplane: backplane);

        var report = await new ScenarioRun(system, ScenarioShape.Standard(TimeSpan.FromMilliseconds(40))).RunAsync($"api kill -9 between store and publish ({backplane})", async run =>
        {
            run.Producers[0].NextMessage = crash;
            await Poll.UntilAsync(() => run.System.Api.HasExited, TimeSpan.FromSeconds(30), "the API to crash on the marked update");
            await run.System.Api.RestartAsync();
            await Poll.ForAsync(run.System.Api.MetricsAsync, m => m.Value("vapora_api_updates_published_total", "path=\"relay\"") >= 1,
                TimeSpan.FromSeconds(30), "the restarted API's relay to publish what the crash left unpublished");
        });

        AssertNoLoss(report);
        data.Delete(recursive: true);
    }

    [Theory]
    [InlineData(Backplane.Classic)]
    [InlineData(Backplane.Sharded)]
    public async Task Rolling_restart_of_all_three_gateways_one_at_a_time_loses_nothing(Backplane backplane)
    {
        await using var system = await VaporaSystem.StartAsync(backplane: backplane);

        var report = await new ScenarioRun(system, ScenarioShape.Standard(TimeSpan.FromMilliseconds(40))).RunAsync($"rolling gateway restart ({backplane})", async run =>
        {
            foreach (var gateway in run.System.Gateways)
            {
                Assert.True(await gateway.TerminateAsync(TimeSpan.FromSeconds(20)), "a gateway should drain and exit on SIGTERM");
                await gateway.RestartAsync();
            }
        });

        AssertNoLoss(report);
        Assert.True(report.ClientsReconnected >= 150, $"most clients should have moved at least once, got {report.ClientsReconnected}");
    }

    [Fact]
    public async Task Draining_a_gateway_under_load_finishes_within_its_window_and_loses_nothing()
    {
        var window = TimeSpan.FromSeconds(3);
        var closeTimeout = TimeSpan.FromSeconds(2);
        await using var system = await VaporaSystem.StartAsync(gatewaySettings: new Dictionary<string, string?>
        {
            ["Gateway__DrainWindow"] = window.ToString(),
            ["Gateway__CloseTimeout"] = closeTimeout.ToString(),
        });
        var drained = TimeSpan.Zero;

        var report = await new ScenarioRun(system, ScenarioShape.Standard(TimeSpan.FromMilliseconds(30))).RunAsync("gateway drain (SIGTERM)", async run =>
        {
            var started = System.Diagnostics.Stopwatch.StartNew();
            Assert.True(await run.System.Gateways[1].TerminateAsync(TimeSpan.FromSeconds(30)), "the gateway should exit after draining");
            drained = started.Elapsed;
        });

        AssertNoLoss(report);
        output.WriteLine($"drain took {drained.TotalMilliseconds:0} ms (window {window.TotalSeconds} s + close timeout {closeTimeout.TotalSeconds} s)");
        Assert.True(drained < window + closeTimeout + TimeSpan.FromSeconds(3), $"the drain took {drained}");
        Assert.True(drained >= window * 0.8, $"the sockets should close in waves over the window, but the drain took only {drained}");
        Assert.True(report.ClientsReconnected > 0);
    }

    [Theory]
    [InlineData(Backplane.Classic)]
    [InlineData(Backplane.Sharded)]
    public async Task A_client_that_disconnects_for_30_seconds_resumes_with_everything_it_missed(Backplane backplane)
    {
        await using var system = await VaporaSystem.StartAsync(backplane: backplane);
        // 250 updates per workflow over about 40 s, so the stream runs through the whole absence.
        var shape = ScenarioShape.Standard(TimeSpan.FromMilliseconds(160)) with { FaultAt = 0.15 };

        var report = await new ScenarioRun(system, shape).RunAsync($"client offline 30 s ({backplane})", async run =>
        {
            var absent = run.Clients.Where((_, i) => i % 10 == 0).ToList();
            foreach (var client in absent)
            {
                client.Pause();
            }

            var before = absent.ToDictionary(c => c, c => c.Last);
            // The scenario's input is the length of the absence itself, not a condition to wait for.
            await Task.Delay(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
            Assert.All(absent, c => Assert.Equal(before[c], c.Last));
            run.RestartClock();
            foreach (var client in absent)
            {
                client.Resume();
            }
        });

        AssertNoLoss(report);
    }

    private void AssertNoLoss(ScenarioReport report) => report.AssertNoLoss(output);
}
