using System.Globalization;
using Vapora.Contracts;
using Vapora.Testing;

namespace Vapora.Monitoring.Tests;

/// <summary>
/// End to end against a real Prometheus: what it scrapes from real services under traffic, the dashboard's queries,
/// and the backplane-down alert firing when Redis stops and resolving when it returns.
/// </summary>
public sealed class LiveMonitoringTests(LiveMonitoringFixture fixture) : IClassFixture<LiveMonitoringFixture>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    // How the dashboard's template variables are filled in for the queries below (1 s scrapes: 10 samples a window).
    private static readonly Dictionary<string, string> DashboardVariables = new(StringComparer.Ordinal)
    {
        ["$__rate_interval"] = "10s",
        ["$instance"] = ".*",
    };

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private PrometheusServer Prometheus => fixture.Prometheus;

    [Fact]
    public async Task Under_traffic_prometheus_sees_the_connections_opened_and_delivered_frames_and_every_dashboard_query_answers_with_data()
    {
        var api = new WorkflowApiClient(fixture.Api.Http);
        var workflows = new[] { (await api.CreateAsync("monitoring a")).WorkflowId, (await api.CreateAsync("monitoring b")).WorkflowId };
        var sockets = new List<TestSocket>();
        using var traffic = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        Task? producer = null;
        try
        {
            // Three sockets on gateway A, and gateway B filled to its limit of four.
            foreach (var (gateway, count) in new[] { (fixture.GatewayA, 3), (fixture.GatewayB, LiveMonitoringFixture.GatewayBLimit) })
            {
                for (var i = 0; i < count; i++)
                {
                    var socket = await TestSocket.ConnectAsync(gateway.WebSocketUrl($"/api/workflows/{workflows[i % 2]}/updates"));
                    sockets.Add(socket);
                    await socket.NextAsync();
                }
            }

            // One more on B is refused at the limit, and counted.
            await using (var refused = await TestSocket.ConnectAsync(fixture.GatewayB.WebSocketUrl($"/api/workflows/{workflows[0]}/updates")))
            {
                Assert.Equal(CloseReason.TryAgainLater.Code, await refused.WaitClosedAsync());
            }

            producer = ProduceAsync(api, workflows, traffic.Token);

            var gatewayA = LiveMonitoringFixture.Target(fixture.GatewayA);
            var gatewayB = LiveMonitoringFixture.Target(fixture.GatewayB);
            await UntilValueAsync("sum(vapora_gateway_connections)", v => v == 7, "Prometheus to count the 7 connections the test opened");
            Assert.Equal(3, await ValueAsync($"vapora_gateway_connections{{instance=\"{gatewayA}\"}}"));
            Assert.Equal(4, await ValueAsync($"vapora_gateway_connections{{instance=\"{gatewayB}\"}}"));
            await UntilValueAsync("sum(rate(vapora_gateway_frames_sent_total[10s]))", v => v > 0, "delivered frames per second above zero");
            await UntilValueAsync("sum(vapora_gateway_inbound_rejected_total{reason=\"connection_limit\"})", v => v >= 1, "the socket refused at the limit to be counted");

            // Gateway B at 100% of its limit; A far from it.
            var limit = await Poll.ForAsync(() => Prometheus.AlertsAsync(Ct),
                alerts => alerts.Any(a => a.Name == "VaporaGatewayNearConnectionLimit" && a.IsFiring),
                Deadline, "VaporaGatewayNearConnectionLimit to fire for gateway B");
            var fired = Assert.Single(limit, a => a.Name == "VaporaGatewayNearConnectionLimit");
            Assert.Equal(gatewayB, fired.Labels["instance"]);
            Assert.Contains(gatewayB, fired.Annotations["summary"], StringComparison.Ordinal);

            // Every dashboard query is valid PromQL and, under this traffic, every panel shows data, except those that
            // read Kubernetes' own metrics (kube-state-metrics, cAdvisor), which no cluster here produces.
            var panels = MonitoringFiles.DashboardPanels();
            foreach (var expression in panels.Where(p => MonitoringFiles.ReadsKubernetesMetricsOnly(p.Expressions)).SelectMany(p => p.Expressions))
            {
                await Prometheus.QueryAsync(Substitute(expression), Ct);
            }

            var empty = panels.Where(p => !MonitoringFiles.ReadsKubernetesMetricsOnly(p.Expressions)).Select(p => p.Title).ToHashSet(StringComparer.Ordinal);
            try
            {
                await Poll.UntilAsync(async () =>
                {
                    foreach (var (title, expressions) in panels.Where(p => empty.Contains(p.Title)))
                    {
                        var results = await Task.WhenAll(expressions.Select(e => Prometheus.QueryAsync(Substitute(e), Ct)));
                        if (results.Any(r => r.Count > 0))
                        {
                            empty.Remove(title);
                        }
                    }

                    return empty.Count == 0;
                }, Deadline, "every dashboard panel to return data");
            }
            catch (TimeoutException ex)
            {
                Assert.Fail($"Dashboard panels without data: {string.Join(", ", empty)}. {ex.Message}");
            }

            // The gateway variable lists both gateways.
            var instances = await Prometheus.LabelValuesAsync("instance", "vapora_gateway_connections", Ct);
            Assert.Equal(new[] { gatewayA, gatewayB }.Order(StringComparer.Ordinal), instances.Order(StringComparer.Ordinal));

            // Everything Vapora exports under its own name is in the README's metrics table (the OpenMetrics
            // creation-time series aside).
            var exported = (await Prometheus.LabelValuesAsync("__name__", "{__name__=~\"vapora_.+\"}", Ct))
                .Where(n => !n.EndsWith("_created", StringComparison.Ordinal))
                .Select(MonitoringFiles.ExportedFamily).ToHashSet(StringComparer.Ordinal);
            Assert.Contains("vapora_health_check_status", exported);
            Assert.Empty(exported.Except(MonitoringFiles.DocumentedMetrics()));
        }
        finally
        {
            await traffic.CancelAsync();
            if (producer is not null)
            {
                await producer.WaitAsync(Deadline, Ct);
            }

            foreach (var socket in sockets)
            {
                await socket.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task When_redis_stops_the_backplane_down_alert_fires_for_the_api_and_both_gateways_and_resolves_when_redis_returns()
    {
        var api = new WorkflowApiClient(fixture.Api.Http);
        var workflow = (await api.CreateAsync("monitoring outage")).WorkflowId;
        var instances = new[] { fixture.Api, fixture.GatewayA, fixture.GatewayB }.Select(LiveMonitoringFixture.Target).Order(StringComparer.Ordinal).ToList();
        await UntilValueAsync("count(vapora_health_check_status{check=~\"redis|redis-pubsub\"} == 1)", v => v == 5,
            "the Redis checks of the API and both gateways to be healthy in Prometheus");
        Assert.DoesNotContain(await Prometheus.AlertsAsync(Ct), a => a.Name == "VaporaBackplaneDown");

        await fixture.Redis.KillAsync();
        try
        {
            // Stored while Redis is down: the publish fails and the update waits in the outbox.
            await api.ProgressAsync(workflow, 1, "during the outage");

            var alerts = await Poll.ForAsync(() => Prometheus.AlertsAsync(Ct),
                all => FiringFor(all, "VaporaBackplaneDown").SequenceEqual(instances) && FiringFor(all, "VaporaPublishFailures").Count == 1,
                Deadline, "VaporaBackplaneDown to fire for the API and both gateways, and VaporaPublishFailures for the API");
            var backplane = alerts.First(a => a.Name == "VaporaBackplaneDown" && a.Labels["job"] == "realtime-gateway");
            Assert.Equal("critical", backplane.Labels["severity"]);
            Assert.Contains("Redis pub/sub is unusable from realtime-gateway at " + backplane.Labels["instance"], backplane.Annotations["summary"], StringComparison.Ordinal);
            // Degraded, not failed: the gateways still serve their watchers from the API (issue 26: readiness stays).
            Assert.Equal(0.5, await ValueAsync($"min(vapora_health_check_status{{check=\"redis-pubsub\"}})"));
            await UntilValueAsync("max(vapora_api_outbox_oldest_age_seconds)", v => v > 0, "the outbox to report an unpublished update's age");
        }
        finally
        {
            if (fixture.Redis.Pid is null)
            {
                await fixture.Redis.StartProcessAgainAsync();
            }
        }

        await Poll.UntilAsync(async () => !(await Prometheus.AlertsAsync(Ct)).Any(a => a.Name == "VaporaBackplaneDown"),
            Deadline, "VaporaBackplaneDown to resolve once Redis is back");
        await UntilValueAsync("max(vapora_api_outbox_oldest_age_seconds)", v => v == 0, "the outbox relay to publish what waited");
    }

    private static List<string> FiringFor(IReadOnlyList<PromAlert> alerts, string name) =>
        alerts.Where(a => a.Name == name && a.IsFiring).Select(a => a.Labels["instance"]).Order(StringComparer.Ordinal).ToList();

    private static string Substitute(string expression) =>
        DashboardVariables.Aggregate(expression, (e, v) => e.Replace(v.Key, v.Value, StringComparison.Ordinal));

    private async Task<double> ValueAsync(string promql) => Assert.Single(await Prometheus.QueryAsync(promql, Ct)).Value;

    private Task UntilValueAsync(string promql, Func<double, bool> accept, string what) =>
        Poll.UntilAsync(async () => await Prometheus.QueryAsync(promql, Ct) is [var sample] && accept(sample.Value), Deadline, what);

    // Progress on both workflows, about 20 updates a second, until cancelled.
    private static async Task ProduceAsync(WorkflowApiClient api, string[] workflows, CancellationToken cancellationToken)
    {
        var step = 0;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                step++;
                await api.ProgressAsync(workflows[step % 2], step % 100, string.Create(CultureInfo.InvariantCulture, $"step {step}"));
                await Task.Delay(50, cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
