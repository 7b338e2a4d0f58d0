using System.Text.Json;
using System.Text.RegularExpressions;
using Vapora.Testing;
using YamlDotNet.RepresentationModel;

namespace Vapora.Monitoring.Tests;

/// <summary>The shipped monitoring files (deploy/monitoring) and the documentation they refer to, as the tests read them.</summary>
internal static partial class MonitoringFiles
{
    public static readonly string Monitoring = Path.Combine(RepositoryPaths.Root, "deploy", "monitoring");

    public static readonly string RulesDirectory = Path.Combine(Monitoring, "prometheus", "rules");

    public static readonly string RuleTests = Path.Combine(Monitoring, "prometheus", "tests", "vapora-alerts.test.yml");

    public static readonly string ComposePrometheusConfig = Path.Combine(Monitoring, "prometheus", "prometheus.yml");

    public static readonly string OperatorRule = Path.Combine(Monitoring, "prometheus-operator", "prometheus-rule.yaml");

    public static readonly string Dashboard = Path.Combine(Monitoring, "grafana", "dashboards", "vapora.json");

    public static readonly string Operations = Path.Combine(RepositoryPaths.Root, "docs", "operations.md");

    public static readonly string Readme = Path.Combine(RepositoryPaths.Root, "README.md");

    /// <summary>Where the shipped runbook links point (generate.sh's RUNBOOK_BASE_URL changes it): this repository's guide.</summary>
    public const string RunbookBase = "https://github.com/vapora/vapora/blob/main/docs/operations.md";

    /// <summary>Every Prometheus rule file Vapora ships.</summary>
    public static IReadOnlyList<string> RuleFiles => Directory.GetFiles(RulesDirectory, "*.yml").Order(StringComparer.Ordinal).ToList();

    public static YamlMappingNode LoadYaml(string path) => ParseYaml(File.ReadAllText(path));

    public static YamlMappingNode ParseYaml(string text)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    /// <summary>The alerting rules of a rule file's <c>groups</c>.</summary>
    public static IEnumerable<YamlMappingNode> Alerts(YamlMappingNode groupsOwner) =>
        ((YamlSequenceNode)groupsOwner["groups"]).Cast<YamlMappingNode>()
            .SelectMany(g => ((YamlSequenceNode)g["rules"]).Cast<YamlMappingNode>())
            .Where(r => r.Children.ContainsKey("alert"));

    public static string Text(this YamlMappingNode node, string key) =>
        node.Children.TryGetValue(key, out var value) ? ((YamlScalarNode)value).Value ?? string.Empty : string.Empty;

    /// <summary>
    /// The rule file with every <c>for:</c> set to <paramref name="value"/> and nothing else changed: how the live
    /// test waits seconds instead of minutes for an alert to fire (documented in docs/operations.md).
    /// </summary>
    public static string WithFor(string ruleFileText, string value)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(ruleFileText));
        foreach (var rule in Alerts((YamlMappingNode)stream.Documents[0].RootNode))
        {
            if (rule.Children.ContainsKey("for"))
            {
                rule.Children[new YamlScalarNode("for")] = new YamlScalarNode(value);
            }
        }

        using var writer = new StringWriter();
        stream.Save(writer, assignAnchors: false);
        return writer.ToString();
    }

    /// <summary>A YAML subtree as canonical text, to compare two documents by content rather than layout.</summary>
    public static string Canonical(YamlNode node) => node switch
    {
        YamlScalarNode scalar => JsonSerializer.Serialize(scalar.Value),
        YamlSequenceNode sequence => "[" + string.Join(",", sequence.Select(Canonical)) + "]",
        YamlMappingNode mapping => "{" + string.Join(",", mapping.Children
            .OrderBy(p => ((YamlScalarNode)p.Key).Value, StringComparer.Ordinal)
            .Select(p => Canonical(p.Key) + ":" + Canonical(p.Value))) + "}",
        _ => throw new InvalidOperationException($"Unexpected YAML node {node.NodeType}"),
    };

    /// <summary>The Prometheus metric names of the README's metrics table (the first column).</summary>
    public static IReadOnlySet<string> DocumentedMetrics() => File.ReadLines(Readme)
        .Select(line => TableMetric().Match(line))
        .Where(m => m.Success)
        .Select(m => m.Groups[1].Value)
        .ToHashSet(StringComparer.Ordinal);

    /// <summary>The metric names an expression uses that Vapora exports (<c>vapora_*</c>), histogram suffixes removed.</summary>
    public static IEnumerable<string> VaporaMetricsIn(string promql) =>
        VaporaMetric().Matches(promql).Select(m => ExportedFamily(m.Value)).Distinct(StringComparer.Ordinal);

    /// <summary>A histogram's series (<c>_bucket</c>, <c>_sum</c>, <c>_count</c>) belong to the family the table names.</summary>
    public static string ExportedFamily(string name) => HistogramSeries().Replace(name, string.Empty);

    /// <summary>The dashboard's panels (row children included) that query Prometheus, with their expressions.</summary>
    public static IReadOnlyList<(string Title, IReadOnlyList<string> Expressions)> DashboardPanels()
    {
        using var dashboard = JsonDocument.Parse(File.ReadAllText(Dashboard));
        return AllPanels(dashboard.RootElement.GetProperty("panels"))
            .Where(p => p.GetProperty("type").GetString() != "row")
            .Select(p => (p.GetProperty("title").GetString()!,
                (IReadOnlyList<string>)p.GetProperty("targets").EnumerateArray().Select(t => t.GetProperty("expr").GetString()!).ToList()))
            .ToList();
    }

    public static IEnumerable<JsonElement> AllPanels(JsonElement panels)
    {
        foreach (var panel in panels.EnumerateArray())
        {
            yield return panel.Clone();
            if (panel.TryGetProperty("panels", out var children))
            {
                foreach (var child in AllPanels(children))
                {
                    yield return child;
                }
            }
        }
    }

    /// <summary>True when the expressions read only Kubernetes' own metrics (kube-state-metrics' kube_*, cAdvisor's container_*).</summary>
    public static bool ReadsKubernetesMetricsOnly(IEnumerable<string> expressions) => expressions.All(e =>
        KubernetesMetric().IsMatch(e) && !VaporaMetric().IsMatch(e) && !e.Contains("http_server", StringComparison.Ordinal));

    /// <summary>GitHub's anchor of a Markdown heading.</summary>
    public static string Anchor(string heading) =>
        AnchorDrop().Replace(heading.Trim().ToLowerInvariant(), string.Empty).Replace(' ', '-');

    [GeneratedRegex(@"^\| `(vapora_[a-z0-9_]+)")]
    private static partial Regex TableMetric();

    // Not recording rules' names (namespace:vapora_stale:bool): those are made by the rule file itself.
    [GeneratedRegex(@"(?<![:\w])vapora_[a-z0-9_]+")]
    private static partial Regex VaporaMetric();

    [GeneratedRegex(@"\b(kube|container)_[a-z0-9_]+")]
    private static partial Regex KubernetesMetric();

    [GeneratedRegex(@"_(bucket|sum|count)$")]
    private static partial Regex HistogramSeries();

    [GeneratedRegex(@"[^a-z0-9 _-]")]
    private static partial Regex AnchorDrop();
}
