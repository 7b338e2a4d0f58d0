using System.Net.Http.Json;
using Vapora.Client;
using Vapora.Contracts;
using Vapora.Deployment.Tests.Compose;
using Vapora.Testing;

namespace Vapora.Deployment.Tests;

/// <summary>
/// The compose stack as shipped (see <see cref="ComposeStack"/>), end to end through nginx: workflows created and
/// updated over REST while clients watch them over WebSocket and Server-Sent Events; a gateway container killed,
/// Redis restarted: every client ends with every version once, in order.
/// </summary>
[Collection(ContainersCollection.Name)]
public sealed class ComposeStackTests(ComposeStack stack, ITestOutputHelper output) : IClassFixture<ComposeStack>
{
    private const int Workflows = 3;

    // Updates before the fault, and after it (the fault lands mid-stream however long it takes).
    private const int Before = 15;
    private const int After = 20;
    private const int TotalSteps = 1000;
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(50);

    [Fact]
    public async Task A_gateway_container_killed_mid_stream_its_clients_resume_on_the_others_and_lose_nothing()
    {
        var reconnects = await RunAsync("gateway kill", () => stack.ComposeAsync("kill", "gateway-2"));

        Assert.True(reconnects > 0, "the killed gateway's clients should have reconnected");
    }

    [Fact]
    public async Task Redis_restarted_mid_stream_every_update_still_arrives_once_in_order()
    {
        var relayed = (await stack.MetricsAsync("api")).Value("vapora_api_updates_published_total", "path=\"relay\"");

        await RunAsync("redis restart", () => stack.ComposeAsync("restart", "redis"));

        // What the API stored while Redis was away reached the clients through its outbox relay (polled: the metrics
        // endpoint may answer from its scrape cache for a moment). The relay publishes once the API is connected again,
        // which on podman's bridge can take up to about a minute: the restarted container keeps its address but gets a
        // new interface and MAC (podman#15164), and a peer whose ARP entry for it was confirmed just before (the API,
        // publishing) sends its SYNs to the old MAC until that entry goes stale (15-45 s) and is probed again. Seen
        // once in a fresh-clone run: the API connected 42 s after Redis was back, the gateways after 2-3 s.
        await Poll.UntilAsync(async () => (await stack.MetricsAsync("api")).Value("vapora_api_updates_published_total", "path=\"relay\"") > relayed,
            TimeSpan.FromSeconds(120), "the restart to have left updates for the outbox relay");
    }

    /// <summary>
    /// Watches <see cref="Workflows"/> workflows with two clients of each transport while producers post updates,
    /// injects the fault after <see cref="Before"/> updates and lets <see cref="After"/> more follow it, then checks
    /// every client.
    /// </summary>
    /// <returns>How many reconnects the clients made.</returns>
    private async Task<int> RunAsync(string name, Func<Task> fault)
    {
        output.WriteLine($"stack up in {stack.StartTime.TotalSeconds:0} s (images: {stack.ImageBuildTime.TotalSeconds:0} s)");
        var cancellation = TestContext.Current.CancellationToken;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        using var http = new HttpClient { BaseAddress = stack.BaseUrl, Timeout = TimeSpan.FromSeconds(10) };
        var workflows = new List<WatchedWorkflow>();
        for (var i = 0; i < Workflows; i++)
        {
            var workflow = await WatchedWorkflow.CreateAsync(http, $"{name} {i}", TotalSteps, cancellation);
            foreach (var transport in new[] { StreamTransport.WebSocket, StreamTransport.ServerSentEvents, StreamTransport.WebSocket, StreamTransport.ServerSentEvents })
            {
                workflow.Watch(stack.BaseUrl, transport, stop.Token);
            }

            workflows.Add(workflow);
        }

        var watchers = workflows.SelectMany(w => w.Watchers).ToList();
        await Poll.UntilAsync(() => watchers.All(c => c.Versions.Count > 0), TimeSpan.FromSeconds(30), "every client to receive the workflow's state");

        using var enough = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        var producers = workflows.Select(w => w.ProduceAsync(Interval, enough.Token)).ToList();
        await Poll.UntilAsync(() => workflows.All(w => w.Acknowledged > Before), TimeSpan.FromSeconds(60), "the updates to be under way");
        await fault();
        var atFault = workflows.ToDictionary(w => w.Id, w => w.Acknowledged);
        await Poll.UntilAsync(() => workflows.All(w => w.Acknowledged >= atFault[w.Id] + After), TimeSpan.FromSeconds(90), "updates to go on after the fault");
        await enough.CancelAsync();
        await Task.WhenAll(producers).WaitAsync(TimeSpan.FromMinutes(1), cancellation);

        var finals = new Dictionary<string, long>();
        foreach (var workflow in workflows)
        {
            finals[workflow.Id] = (await http.GetFromJsonAsync($"api/workflows/{workflow.Id}", VaporaJsonContext.Default.WorkflowState, cancellation))!.Version;
            Assert.Equal(workflow.Acknowledged, finals[workflow.Id]);
        }

        // The outbox relay publishes what was stored while Redis was away; gateways also compare quiet workflows with the API.
        await Poll.UntilAsync(() => workflows.All(w => w.Watchers.All(c => c.Stream.LastVersion >= finals[w.Id])), TimeSpan.FromSeconds(90),
            "every client to reach its workflow's last version");
        await stop.CancelAsync();
        await Task.WhenAll(watchers.Select(c => c.Running.ContinueWith(_ => { }, TaskScheduler.Default)));

        foreach (var workflow in workflows)
        {
            foreach (var client in workflow.Watchers)
            {
                var expected = Enumerable.Range(1, (int)finals[workflow.Id]).Select(v => (long)v).ToList();
                Assert.True(expected.SequenceEqual(client.Versions),
                    $"{workflow.Id} over {client.Transport}: expected 1..{finals[workflow.Id]} once each, in order; got {string.Join(',', client.Versions)}");
                Assert.Equal(0, client.Stream.DuplicatesDropped);
            }
        }

        var reconnects = watchers.Sum(c => c.Reconnects);
        output.WriteLine($"{name}: {watchers.Count} clients, {Workflows} workflows, versions {string.Join('/', finals.Values)}: 0 lost, 0 duplicated, {reconnects} reconnects");
        return reconnects;
    }
}
