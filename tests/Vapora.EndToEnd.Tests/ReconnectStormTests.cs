using System.Globalization;
using Vapora.EndToEnd.Tests.Load;
using Vapora.Testing;

namespace Vapora.EndToEnd.Tests;

/// <summary>
/// A reconnect storm (issue 18): two gateways behind nginx, 1,000 clients over 10 workflows, updates flowing through
/// REST. The gateway holding half of the clients (every client of five workflows, which the other gateway does not
/// watch yet) hangs, then is killed with SIGKILL: its 500 clients resume on the survivor at once, all behind its head.
/// Their catch-up must cost the API a few history reads per workflow (shared, coalesced reads), not one per client, and
/// every client must still get every version once, in order.
/// </summary>
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

        var report = await new ScenarioRun(system, shape).RunAsync("reconnect storm (1,000 clients, kill -9 the gateway holding half)", async run =>
        {
            historyBefore = (await system.Api.MetricsAsync()).Value("http_server_request_duration_seconds_count", HistoryRoute);
            // It hangs first (updates go on without its clients), so every orphan resumes behind the survivor's head.
            doomed.Process.Freeze();
            await Task.Delay(TimeSpan.FromMilliseconds(400), TestContext.Current.CancellationToken);
            await doomed.KillAsync();
        });

        var history = (await system.Api.MetricsAsync()).Value("http_server_request_duration_seconds_count", HistoryRoute) - historyBefore;
        var gateway = await survivor.MetricsAsync();
        output.WriteLine(report.Save());
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"API history requests during the storm: {history}; survivor: {gateway.Value("vapora_gateway_catchup_history_reads_total")} reads, {gateway.Value("vapora_gateway_catchup_coalesced_total")} resumes shared one, {gateway.Value("vapora_gateway_catchup_refused_total")} refused"));

        Assert.True(report.Converged, "not every client reached its workflow's final version: " + report.FirstProblem);
        Assert.True(report.Lost == 0 && report.Duplicated == 0 && report.Reordered == 0,
            $"lost {report.Lost}, duplicated {report.Duplicated}, reordered {report.Reordered}; first: {report.FirstProblem}");
        Assert.True(report.ClientsReconnected >= 500, $"the 500 clients of the killed gateway should have resumed, {report.ClientsReconnected} did");
        Assert.True(history >= 1, "the orphans resumed behind the survivor's head, so at least one history read was needed");
        Assert.True(history <= 3 * Workflows, $"the API served {history} history requests for {report.ClientsReconnected} resumes over {Workflows / 2} workflows (at most {3 * Workflows} allowed)");
    }
}
