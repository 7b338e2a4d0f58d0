using System.Text.Json;
using Vapora.Testing;
using YamlDotNet.RepresentationModel;

namespace Vapora.Monitoring.Tests;

/// <summary>
/// The prometheus-adapter rule behind the gateways' HPA on connections: its query, expanded as the adapter expands it
/// for the HPA's pods, gives each pod's connection count (promtool evaluates it), under the name the HPA asks for.
/// </summary>
public sealed class AdapterRuleTests
{
    private static readonly string Component = Path.Combine(RepositoryPaths.Root, "deploy", "k8s", "components", "connection-autoscaling");

    [Fact]
    public async Task The_adapter_serves_each_gateway_pods_connections_under_the_name_the_hpa_asks_for()
    {
        var rule = (YamlMappingNode)((YamlSequenceNode)((YamlMappingNode)MonitoringFiles.LoadYaml(Path.Combine(Component, "prometheus-adapter.values.yaml"))["rules"])["custom"])[0];
        var hpa = MonitoringFiles.LoadYaml(Path.Combine(Component, "gateway-autoscaling.yaml"));
        var served = ((YamlMappingNode)rule["name"]).Text("as");
        var asked = ((YamlSequenceNode)((YamlMappingNode)hpa["spec"])["metrics"]).Cast<YamlMappingNode>()
            .Single(m => m.Text("type") == "Pods");
        Assert.Equal(served, ((YamlMappingNode)((YamlMappingNode)asked["pods"])["metric"]).Text("name"));
        var overrides = (YamlMappingNode)((YamlMappingNode)rule["resources"])["overrides"];
        Assert.Equal(("namespace", "pod"), (((YamlMappingNode)overrides["namespace"]).Text("resource"), ((YamlMappingNode)overrides["pod"]).Text("resource")));

        // The adapter's expansion for GET .../namespaces/vapora/pods/*/vapora_gateway_connections over two pods.
        var series = rule.Text("seriesQuery").Split('{')[0];
        var query = rule.Text("metricsQuery")
            .Replace("<<.Series>>", series, StringComparison.Ordinal)
            .Replace("<<.LabelMatchers>>", "namespace=\"vapora\",pod=~\"realtime-gateway-a|realtime-gateway-b\"", StringComparison.Ordinal)
            .Replace("<<.GroupBy>>", "pod", StringComparison.Ordinal);
        var directory = Directory.CreateTempSubdirectory("vapora-adapter-").FullName;
        try
        {
            var test = Path.Combine(directory, "adapter.test.yml");
            await File.WriteAllTextAsync(test, $$"""
                rule_files: []
                evaluation_interval: 15s
                tests:
                  - interval: 15s
                    input_series:
                      # The ServiceMonitor's series, and the same pod scraped a second time (another job): counted once.
                      - series: '{{series}}{job="realtime-gateway", namespace="vapora", pod="realtime-gateway-a", instance="10.0.0.1:8080"}'
                        values: 12000x4
                      - series: '{{series}}{job="kubernetes-pods", namespace="vapora", pod="realtime-gateway-a", instance="10.0.0.1:8080"}'
                        values: 12000x4
                      - series: '{{series}}{job="realtime-gateway", namespace="vapora", pod="realtime-gateway-b", instance="10.0.0.2:8080"}'
                        values: 8000x4
                      - series: '{{series}}{job="realtime-gateway", namespace="staging", pod="realtime-gateway-a", instance="10.1.0.1:8080"}'
                        values: 5x4
                    promql_expr_test:
                      - expr: {{JsonSerializer.Serialize(query)}}
                        eval_time: 1m
                        exp_samples:
                          - labels: '{pod="realtime-gateway-a"}'
                            value: 12000
                          - labels: '{pod="realtime-gateway-b"}'
                            value: 8000
                """, TestContext.Current.CancellationToken);
            var (exitCode, output) = await ToolRun.RunAsync("promtool", ["test", "rules", test]);
            Assert.True(exitCode == 0, query + "\n" + output);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
