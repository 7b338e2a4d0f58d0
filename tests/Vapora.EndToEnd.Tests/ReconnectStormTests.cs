using System.Globalization;
using Vapora.EndToEnd.Tests.Load;
using Vapora.Testing;

namespace Vapora.EndToEnd.Tests;

/// <summary>
/// A reconnect storm (issue 18): two gateways behind nginx, 1,000 clients over 10 workflows, updates flowing through
/// REST. The gateway holding half of the clients (every client of five workflows, which the other gateway does not
/// watch yet) hangs, then is killed with SIGKILL: its 500 clients resume on the survivor at once, all behind its head.
/// Their catch-up must cost the API a few history reads per workflow (shared, coalesced reads), not one per client,
/// every client must still get every version once, in order, and the survivor's own clients must not stutter while it
/// absorbs the orphans (issue 29: their p99 from accepted PATCH to frame stays under 500 ms here).
/// </summary>
[Collection(MeasuredAloneCollection.Name)]
public sealed class ReconnectStormTests(ITestOutputHelper output)
{
    private const int Workflows = 10;
    private const string HistoryRoute = "http_route=\"/api/workflows/{id}/history\"";

    [Fact]
    public async Task Killing_the_gateway_that_holds_half_of_1000_clients_costs_the_api_a_few_history_reads_per_workflow_and_loses_nothing()
    {
        await using var system = await VaporaSystem.StartAsync(gateways: 2);
        var (doomed, survivor) = (system.Gateways[0], system.Gateways[1]);
        // 100 clients per workflow; workflows 0–4 start on the gateway that dies, 5–9 on the one that survives.
        var shape = new ScenarioShape(Workflows, ClientsPerWorkflow: 100, UpdatesPerWorkflow: 80, TimeSpan.FromMilliseconds(100), FaultAt: 0.3,
            FirstConnectionTo: (w, s) => s.Gateways[w < Workflows / 2 ? 0 : 1]);
        double historyBefore = 0;
        var faultAt = DateTimeOffset.MaxValue;
        var run = new ScenarioRun(system, shape);

        var report = await run.RunAsync("reconnect storm (1,000 clients, kill -9 the gateway holding half)", async run =>
        {
            historyBefore = (await system.Api.MetricsAsync()).Value("http_server_request_duration_seconds_count", HistoryRoute);
            faultAt = DateTimeOffset.UtcNow;
            // It hangs first (updates go on without its clients), so every orphan resumes behind the survivor's head.
            doomed.Process.Freeze();
            await Task.Delay(TimeSpan.FromMilliseconds(400), TestContext.Current.CancellationToken);
            await doomed.KillAsync();
        });

        var history = (await system.Api.MetricsAsync()).Value("http_server_request_duration_seconds_count", HistoryRoute) - historyBefore;
        var gateway = await survivor.MetricsAsync();
        // The survivor's own clients: first connected to it, never reconnected. Their frames from the fault on.
        var survivorWorkflows = run.Producers.Skip(Workflows / 2).Select(p => p.WorkflowId).ToHashSet();
        var survivors = run.Clients.Where(c => survivorWorkflows.Contains(c.WorkflowId) && c.Reconnects == 0).ToList();
        var frames = survivors.SelectMany(c => c.Latencies).ToList();
        var latencies = frames.Where(f => f.ReceivedAt >= faultAt).Select(f => f.Latency.TotalMilliseconds).Order().ToList();
        var before = frames.Where(f => f.ReceivedAt < faultAt).Select(f => f.Latency.TotalMilliseconds).Order().ToList();
        var p99 = Percentile(latencies, 0.99);
        output.WriteLine(report.Save());
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"survivors: {survivors.Count} clients; accepted → frame before the fault ({before.Count} frames) p50 {Percentile(before, 0.5):0.0} ms, p99 {Percentile(before, 0.99):0.0} ms; from the fault on ({latencies.Count} frames) p50 {Percentile(latencies, 0.5):0.0} ms, p99 {p99:0.0} ms, max {Percentile(latencies, 1):0.0} ms"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"API history requests during the storm: {history}; survivor: {gateway.Value("vapora_gateway_catchup_history_reads_total")} reads, {gateway.Value("vapora_gateway_catchup_coalesced_total")} resumes shared one, {gateway.Value("vapora_gateway_catchup_refused_total")} refused"));

        Assert.True(report.Converged, "not every client reached its workflow's final version: " + report.FirstProblem);
        Assert.True(report.Lost == 0 && report.Duplicated == 0 && report.Reordered == 0,
            $"lost {report.Lost}, duplicated {report.Duplicated}, reordered {report.Reordered}; first: {report.FirstProblem}");
        Assert.True(report.ClientsReconnected >= 500, $"the 500 clients of the killed gateway should have resumed, {report.ClientsReconnected} did");
        Assert.True(history >= 1, "the orphans resumed behind the survivor's head, so at least one history read was needed");
        Assert.True(survivors.Count >= 450, $"only {survivors.Count} of the survivor's 500 clients stayed connected through the storm");
        Assert.True(latencies.Count >= survivors.Count * 10, $"only {latencies.Count} frames reached the survivor's clients after the fault");
        Assert.True(p99 < 500, string.Create(CultureInfo.InvariantCulture, $"the survivor's own clients saw p99 {p99:0} ms from accepted PATCH to frame while it absorbed the orphans"));
        Assert.True(history <= 3 * Workflows, $"the API served {history} history requests for {report.ClientsReconnected} resumes over {Workflows / 2} workflows (at most {3 * Workflows} allowed)");
    }

    private static double Percentile(List<double> sorted, double quantile) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Max(0, (int)Math.Ceiling(sorted.Count * quantile) - 1)];
}
