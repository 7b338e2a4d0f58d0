using System.Text.Json;
using Vapora.Testing;
using YamlDotNet.RepresentationModel;

namespace Vapora.Monitoring.Tests;

/// <summary>
/// How the monitoring is deployed: the Grafana dashboard is provisioning-ready, docker-compose's opt-in monitoring
/// profile validates with compose v1.29 and wires Prometheus and Grafana to the shipped files, and the Prometheus
/// Operator component scrapes the Services that exist under the job names the rules expect.
/// </summary>
public sealed class MonitoringDeploymentTests
{
    // What the issue asks the dashboard to show.
    private static readonly string[] RequiredPanels =
    [
        "Connections per gateway", "Subscriptions per gateway", "Watched workflows and Redis channels",
        "Updates accepted and published", "Delivered frames/s", "Publish-to-send lag", "Send-queue depth",
        "Gap repairs", "Backplane drops by reason", "Slow consumers closed", "Outbox backlog", "Readiness by check",
    ];

    [Fact]
    public void The_dashboard_is_provisioning_ready_with_every_panel_on_the_datasource_variable()
    {
        using var json = JsonDocument.Parse(File.ReadAllText(MonitoringFiles.Dashboard));
        var dashboard = json.RootElement;
        Assert.Equal("vapora-overview", dashboard.GetProperty("uid").GetString());
        Assert.True(dashboard.GetProperty("schemaVersion").GetInt32() >= 36);
        var variables = dashboard.GetProperty("templating").GetProperty("list").EnumerateArray().ToList();
        var datasource = Assert.Single(variables, v => v.GetProperty("name").GetString() == "datasource");
        Assert.Equal("datasource", datasource.GetProperty("type").GetString());
        Assert.Equal("prometheus", datasource.GetProperty("query").GetString());

        var panels = MonitoringFiles.AllPanels(dashboard.GetProperty("panels")).ToList();
        Assert.Equal(panels.Count, panels.Select(p => p.GetProperty("id").GetInt32()).Distinct().Count());
        var occupied = new HashSet<(int X, int Y)>();
        foreach (var panel in panels)
        {
            var title = panel.GetProperty("title").GetString();
            var grid = panel.GetProperty("gridPos");
            var (x, y, w, h) = (grid.GetProperty("x").GetInt32(), grid.GetProperty("y").GetInt32(), grid.GetProperty("w").GetInt32(), grid.GetProperty("h").GetInt32());
            Assert.True(x >= 0 && w > 0 && x + w <= 24 && h > 0, $"{title} does not fit the 24-column grid");
            for (var cx = x; cx < x + w; cx++)
            {
                for (var cy = y; cy < y + h; cy++)
                {
                    Assert.True(occupied.Add((cx, cy)), $"{title} overlaps another panel at ({cx},{cy})");
                }
            }

            if (panel.GetProperty("type").GetString() == "row")
            {
                continue;
            }

            Assert.Equal("${datasource}", panel.GetProperty("datasource").GetProperty("uid").GetString());
            var targets = panel.GetProperty("targets").EnumerateArray().ToList();
            Assert.NotEmpty(targets);
            Assert.All(targets, t =>
            {
                Assert.Equal("${datasource}", t.GetProperty("datasource").GetProperty("uid").GetString());
                Assert.False(string.IsNullOrWhiteSpace(t.GetProperty("expr").GetString()), $"{title} has an empty query");
            });
        }

        var titles = MonitoringFiles.DashboardPanels().Select(p => p.Title).ToHashSet(StringComparer.Ordinal);
        Assert.Empty(RequiredPanels.Except(titles));
    }

    [Fact]
    public async Task The_compose_monitoring_profile_validates_with_compose_and_runs_prometheus_and_grafana_on_the_shipped_files()
    {
        var (exitCode, output) = await ToolRun.RunAsync("docker-compose", ["-f", "docker-compose.yml", "--profile", "monitoring", "config"]);
        Assert.True(exitCode == 0, output);
        var services = (YamlMappingNode)MonitoringFiles.ParseYaml(output)["services"];

        // Opt-in: only these two carry the profile, so a plain `docker-compose up` starts exactly what it did before
        // (the Sentinel profile's services are checked by DeploymentManifestTests).
        var profiled = services.Children
            .Where(s => ((YamlMappingNode)s.Value).Children.ContainsKey("profiles"))
            .ToDictionary(s => s.Key.ToString(), s => string.Join(",", (YamlSequenceNode)((YamlMappingNode)s.Value)["profiles"]))
            .Where(s => s.Value.Contains("monitoring", StringComparison.Ordinal))
            .ToDictionary();
        Assert.Equal(new Dictionary<string, string> { ["prometheus"] = "monitoring", ["grafana"] = "monitoring" }, profiled);

        var prometheusMounts = Mounts(services, "prometheus");
        Assert.Equal(Path.GetDirectoryName(MonitoringFiles.ComposePrometheusConfig), prometheusMounts["/etc/prometheus"]);
        var grafanaMounts = Mounts(services, "grafana");
        Assert.Equal(Path.Combine(MonitoringFiles.Monitoring, "grafana", "provisioning"), grafanaMounts["/etc/grafana/provisioning"]);
        Assert.Equal(Path.GetDirectoryName(MonitoringFiles.Dashboard), grafanaMounts["/var/lib/grafana/dashboards/vapora"]);

        // Grafana finds the dashboard where the provider looks, and the data source is compose's Prometheus.
        var provider = (YamlMappingNode)((YamlSequenceNode)MonitoringFiles.LoadYaml(
            Path.Combine(MonitoringFiles.Monitoring, "grafana", "provisioning", "dashboards", "vapora.yml"))["providers"])[0];
        Assert.Equal("/var/lib/grafana/dashboards/vapora", ((YamlMappingNode)provider["options"]).Text("path"));
        var source = (YamlMappingNode)((YamlSequenceNode)MonitoringFiles.LoadYaml(
            Path.Combine(MonitoringFiles.Monitoring, "grafana", "provisioning", "datasources", "prometheus.yml"))["datasources"])[0];
        Assert.Equal("http://prometheus:9090", source.Text("url"));
        Assert.Equal("prometheus", source.Text("type"));

        // Prometheus accepts its config with the rule files, and scrapes the API and every gateway of the compose file.
        var (checkCode, check) = await ToolRun.RunAsync("promtool", ["check", "config", MonitoringFiles.ComposePrometheusConfig]);
        Assert.True(checkCode == 0, check);
        var jobs = ((YamlSequenceNode)MonitoringFiles.LoadYaml(MonitoringFiles.ComposePrometheusConfig)["scrape_configs"]).Cast<YamlMappingNode>()
            .ToDictionary(j => j.Text("job_name"), j => ((YamlSequenceNode)((YamlMappingNode)((YamlSequenceNode)j["static_configs"])[0])["targets"])
                .Select(t => t.ToString()).Order(StringComparer.Ordinal).ToList());
        var gateways = services.Children.Keys.Select(k => k.ToString()).Where(n => n.StartsWith("gateway-", StringComparison.Ordinal))
            .Select(n => n + ":8080").Order(StringComparer.Ordinal).ToList();
        Assert.Equal(["api:8080"], jobs["workflow-api"]);
        Assert.Equal(gateways, jobs["realtime-gateway"]);
    }

    [Fact]
    public async Task The_operator_service_monitors_scrape_existing_services_under_the_job_names_the_rules_select()
    {
        var k8s = Path.Combine(RepositoryPaths.Root, "deploy", "k8s");
        var (exitCode, output) = await ToolRun.RunAsync("node", [Path.Combine(k8s, "validate.mjs"), "--render", "overlays/production-monitoring"], k8s);
        Assert.True(exitCode == 0, output);
        var objects = JsonDocument.Parse(output).RootElement.EnumerateArray().Select(o => o.Clone()).ToList();
        string Kind(JsonElement o) => o.GetProperty("kind").GetString()!;

        var monitors = objects.Where(o => Kind(o) == "ServiceMonitor").ToList();
        Assert.Equal(2, monitors.Count);
        Assert.Single(objects, o => Kind(o) == "PrometheusRule");
        foreach (var monitor in monitors)
        {
            var selector = monitor.GetProperty("spec").GetProperty("selector").GetProperty("matchLabels").EnumerateObject()
                .ToDictionary(p => p.Name, p => p.Value.GetString());
            var service = Assert.Single(objects, o => Kind(o) == "Service"
                && selector.All(l => o.GetProperty("metadata").GetProperty("labels").TryGetProperty(l.Key, out var v) && v.GetString() == l.Value));
            var endpoint = monitor.GetProperty("spec").GetProperty("endpoints")[0];
            Assert.Equal("/metrics", endpoint.GetProperty("path").GetString());
            Assert.Contains(service.GetProperty("spec").GetProperty("ports").EnumerateArray(),
                p => p.GetProperty("name").GetString() == endpoint.GetProperty("port").GetString());

            // The operator names the job after the Service; the rules select workflow-api and realtime-gateway.
            Assert.False(monitor.GetProperty("spec").TryGetProperty("jobLabel", out _));
            Assert.Contains(service.GetProperty("metadata").GetProperty("name").GetString(), new[] { "workflow-api", "realtime-gateway" });
            Assert.Equal("vapora", monitor.GetProperty("metadata").GetProperty("namespace").GetString());
        }
    }

    private static Dictionary<string, string> Mounts(YamlMappingNode services, string service) =>
        ((YamlSequenceNode)((YamlMappingNode)services[service])["volumes"])
            .Select(v => v.ToString().Split(':'))
            .Where(parts => parts[0].StartsWith('/'))
            .ToDictionary(parts => parts[1], parts => parts[0]);
}
