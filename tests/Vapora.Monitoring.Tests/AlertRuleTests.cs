using Vapora.Testing;
using YamlDotNet.RepresentationModel;

namespace Vapora.Monitoring.Tests;

/// <summary>
/// The shipped alert rules, checked by Prometheus's own tool: they load, every alert has a promtool unit test that
/// shows it fire after its <c>for:</c> and stay quiet on healthy series, and the Prometheus Operator copy, the
/// runbooks and the metrics table agree with them.
/// </summary>
public sealed class AlertRuleTests
{
    private static readonly string[] Severities = ["critical", "warning"];

    [Fact]
    public async Task Promtool_accepts_every_rule_file()
    {
        Assert.NotEmpty(MonitoringFiles.RuleFiles);
        foreach (var file in MonitoringFiles.RuleFiles)
        {
            var (exitCode, output) = await ToolRun.RunAsync("promtool", ["check", "rules", file]);
            Assert.True(exitCode == 0, output);
            Assert.Contains("SUCCESS", output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Every_alert_fires_in_the_promtool_unit_tests_after_its_for_and_stays_quiet_on_healthy_series()
    {
        var (exitCode, output) = await ToolRun.RunAsync("promtool", ["test", "rules", MonitoringFiles.RuleTests]);
        Assert.True(exitCode == 0, output);

        // A new alert without a test would pass the run above unnoticed: each needs a case where it fires and one where it must not.
        var checks = ((YamlSequenceNode)MonitoringFiles.LoadYaml(MonitoringFiles.RuleTests)["tests"]).Cast<YamlMappingNode>()
            .Where(t => t.Children.ContainsKey("alert_rule_test"))
            .SelectMany(t => ((YamlSequenceNode)t["alert_rule_test"]).Cast<YamlMappingNode>())
            .Select(c => (Alert: c.Text("alertname"), Fires: ((YamlSequenceNode)c["exp_alerts"]).Children.Count > 0))
            .ToList();
        foreach (var alert in AllAlerts().Select(a => a.Text("alert")))
        {
            Assert.True(checks.Contains((alert, true)), $"{alert} has no promtool test in which it fires");
            Assert.True(checks.Contains((alert, false)), $"{alert} has no promtool test in which it stays quiet");
        }
    }

    [Fact]
    public void Every_alert_has_a_for_a_severity_a_summary_and_a_runbook_section_in_the_operations_guide()
    {
        var headings = File.ReadLines(MonitoringFiles.Operations)
            .Where(l => l.StartsWith('#'))
            .Select(l => l.TrimStart('#').Trim())
            .ToList();
        var anchors = headings.Select(MonitoringFiles.Anchor).ToHashSet(StringComparer.Ordinal);

        var alerts = AllAlerts().ToList();
        Assert.True(alerts.Count >= 10, "the issue lists at least ten conditions to alert on");
        Assert.Equal(alerts.Count, alerts.Select(a => a.Text("alert")).Distinct(StringComparer.Ordinal).Count());
        foreach (var alert in alerts)
        {
            var name = alert.Text("alert");
            Assert.True(TimeSpanOf(alert.Text("for")) > TimeSpan.Zero, $"{name} has no for:");
            Assert.Contains(((YamlMappingNode)alert["labels"]).Text("severity"), Severities);
            var annotations = (YamlMappingNode)alert["annotations"];
            Assert.False(string.IsNullOrWhiteSpace(annotations.Text("summary")), $"{name} has no summary");
            Assert.False(string.IsNullOrWhiteSpace(annotations.Text("description")), $"{name} has no description");
            var runbook = annotations.Text("runbook_url");
            Assert.Equal(MonitoringFiles.RunbookBase + "#" + name.ToLowerInvariant(), runbook);
            Assert.Contains(name, headings);
            Assert.Contains(name.ToLowerInvariant(), anchors);
        }
    }

    [Fact]
    public async Task Generate_points_every_runbook_link_at_a_configured_base_and_the_promtool_tests_follow()
    {
        var copy = Directory.CreateTempSubdirectory("vapora-monitoring-").FullName;
        try
        {
            CopyDirectory(MonitoringFiles.Monitoring, copy);
            var script = Path.Combine(copy, "prometheus-operator", "generate.sh");
            const string Base = "https://wiki.example.com/ops/vapora&runbooks|v2";
            var (exitCode, output) = await ToolRun.RunAsync("env", [$"RUNBOOK_BASE_URL={Base}", "bash", script]);
            Assert.True(exitCode == 0, output);

            var rules = MonitoringFiles.LoadYaml(Path.Combine(copy, "prometheus", "rules", "vapora-alerts.yml"));
            Assert.All(MonitoringFiles.Alerts(rules), a => Assert.Equal($"{Base}#{a.Text("alert").ToLowerInvariant()}", ((YamlMappingNode)a["annotations"]).Text("runbook_url")));
            var operatorRule = MonitoringFiles.LoadYaml(Path.Combine(copy, "prometheus-operator", "prometheus-rule.yaml"));
            Assert.Equal(MonitoringFiles.Canonical(rules["groups"]), MonitoringFiles.Canonical(((YamlMappingNode)operatorRule["spec"])["groups"]));
            var (testCode, tests) = await ToolRun.RunAsync("promtool", ["test", "rules", Path.Combine(copy, "prometheus", "tests", "vapora-alerts.test.yml")]);
            Assert.True(testCode == 0, tests);

            var (refused, message) = await ToolRun.RunAsync("env", ["RUNBOOK_BASE_URL=wiki/ops", "bash", script]);
            Assert.NotEqual(0, refused);
            Assert.Contains("must be an absolute http(s) URL", message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(copy, recursive: true);
        }
    }

    [Fact]
    public void The_prometheus_operator_rule_holds_exactly_the_groups_of_the_rule_file()
    {
        var operatorRule = MonitoringFiles.LoadYaml(MonitoringFiles.OperatorRule);
        Assert.Equal("monitoring.coreos.com/v1", operatorRule.Text("apiVersion"));
        Assert.Equal("PrometheusRule", operatorRule.Text("kind"));

        var source = MonitoringFiles.LoadYaml(Assert.Single(MonitoringFiles.RuleFiles));
        Assert.True(
            MonitoringFiles.Canonical(source["groups"]) == MonitoringFiles.Canonical(((YamlMappingNode)operatorRule["spec"])["groups"]),
            "deploy/monitoring/prometheus-operator/prometheus-rule.yaml differs from the rule file: run deploy/monitoring/prometheus-operator/generate.sh");
    }

    [Fact]
    public void Shortening_for_for_the_live_test_changes_nothing_but_the_for_values()
    {
        var file = Assert.Single(MonitoringFiles.RuleFiles);
        var original = MonitoringFiles.LoadYaml(file);
        var shortened = MonitoringFiles.ParseYaml(MonitoringFiles.WithFor(File.ReadAllText(file), "2s"));

        var before = MonitoringFiles.Alerts(original).ToList();
        var after = MonitoringFiles.Alerts(shortened).ToList();
        Assert.Equal(before.Count, after.Count);
        foreach (var (old, @new) in before.Zip(after))
        {
            Assert.Equal("2s", @new.Text("for"));
            Assert.Equal(Without(old, "for"), Without(@new, "for"));
        }
    }

    [Fact]
    public void Every_metric_the_rules_and_the_dashboard_use_is_in_the_metrics_table()
    {
        var documented = MonitoringFiles.DocumentedMetrics();
        var used = AllAlerts().Select(a => a.Text("expr"))
            .Concat(MonitoringFiles.DashboardPanels().SelectMany(p => p.Expressions))
            .SelectMany(MonitoringFiles.VaporaMetricsIn)
            .ToHashSet(StringComparer.Ordinal);

        Assert.NotEmpty(used);
        Assert.Empty(used.Except(documented));
    }

    private static void CopyDirectory(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    private static IEnumerable<YamlMappingNode> AllAlerts() =>
        MonitoringFiles.RuleFiles.SelectMany(f => MonitoringFiles.Alerts(MonitoringFiles.LoadYaml(f)));

    private static string Without(YamlMappingNode rule, string key) =>
        MonitoringFiles.Canonical(new YamlMappingNode(rule.Children.Where(p => ((YamlScalarNode)p.Key).Value != key)));

    // Prometheus durations as rules use them: 30s, 5m, 1h.
    private static TimeSpan TimeSpanOf(string duration) => duration.Length < 2 ? TimeSpan.Zero : duration[^1] switch
    {
        's' => TimeSpan.FromSeconds(int.Parse(duration[..^1], System.Globalization.CultureInfo.InvariantCulture)),
        'm' => TimeSpan.FromMinutes(int.Parse(duration[..^1], System.Globalization.CultureInfo.InvariantCulture)),
        'h' => TimeSpan.FromHours(int.Parse(duration[..^1], System.Globalization.CultureInfo.InvariantCulture)),
        _ => TimeSpan.Zero,
    };
}
