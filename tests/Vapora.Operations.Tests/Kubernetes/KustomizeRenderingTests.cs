using System.Text.Json;
using Vapora.Testing;

namespace Vapora.Operations.Tests.Kubernetes;

/// <summary>
/// The manifests render the same with kubectl's kustomize and with deploy/k8s/render.mjs (what validate.mjs uses on a
/// machine without kubectl), and the shared settings reach the pods through a ConfigMap whose name is a hash of its
/// content, so a change of settings rolls the pods.
/// </summary>
public sealed class KustomizeRenderingTests
{
    [Theory]
    [MemberData(nameof(Targets))]
    public async Task Kubectl_and_the_renderer_without_kubectl_produce_the_same_objects(string target)
    {
        var (kubectl, _) = await ToolRun.RunAsync("sh", ["-c", "command -v kubectl"]);
        Assert.SkipUnless(kubectl == 0, "kubectl is not installed: nothing to compare render.mjs with (validate.mjs uses render.mjs alone then)");

        var expected = (await Manifests.RenderAsync(target)).ToDictionary(Key, Canonical);
        var actual = (await Manifests.RenderWithoutKubectlAsync(target)).ToDictionary(Key, Canonical);

        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), actual.Keys.Order(StringComparer.Ordinal));
        Assert.All(expected, e => Assert.Equal(e.Value, actual[e.Key]));
    }

    [Theory]
    [MemberData(nameof(Targets))]
    public async Task Every_config_map_a_pod_reads_exists_and_generated_ones_carry_a_content_hash(string target)
    {
        var objects = await Manifests.RenderAsync(target);
        var configMaps = objects.Where(o => o.Kind() == "ConfigMap").Select(o => o.Name()).ToHashSet(StringComparer.Ordinal);

        var referenced = objects.Workloads().SelectMany(w => ConfigMapsReadBy(w.PodSpec())).ToList();
        Assert.NotEmpty(referenced);
        Assert.All(referenced, name => Assert.Contains(name, configMaps));
        Assert.Contains(referenced, name => name.StartsWith("vapora-config-", StringComparison.Ordinal));
        Assert.All(configMaps, name => Assert.Matches("-[a-z0-9]{10}$", name));
    }

    [Fact]
    public async Task Overlays_whose_settings_differ_name_the_shared_config_map_differently()
    {
        var names = new Dictionary<string, string>();
        foreach (var target in new[] { "overlays/production", "overlays/redis-cluster", "overlays/redis-sentinel", "overlays/production-otlp" })
        {
            names[target] = (await Manifests.RenderAsync(target)).GeneratedConfigMap("vapora-config").Name();
        }

        // A different name is a different pod template: applying the overlay rolls every Deployment that reads it.
        Assert.Equal(names.Count, names.Values.Distinct(StringComparer.Ordinal).Count());
    }

    public static TheoryData<string> Targets() => [.. Manifests.Targets];

    private static IEnumerable<string> ConfigMapsReadBy(JsonElement pod)
    {
        foreach (var container in pod.Containers())
        {
            foreach (var source in container.TryGetProperty("envFrom", out var envFrom) ? envFrom.EnumerateArray() : [])
            {
                if (source.TryGetProperty("configMapRef", out var reference))
                {
                    yield return reference.GetProperty("name").GetString()!;
                }
            }
        }

        foreach (var volume in pod.TryGetProperty("volumes", out var volumes) ? volumes.EnumerateArray() : [])
        {
            if (volume.TryGetProperty("configMap", out var configMap))
            {
                yield return configMap.GetProperty("name").GetString()!;
            }
        }
    }

    private static string Key(JsonElement o) => $"{o.Kind()}/{o.Name()}";

    // Objects compared by content: keys sorted, so the layout of either renderer does not matter.
    private static string Canonical(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => "{" + string.Join(",", element.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal)
            .Select(p => JsonSerializer.Serialize(p.Name) + ":" + Canonical(p.Value))) + "}",
        JsonValueKind.Array => "[" + string.Join(",", element.EnumerateArray().Select(Canonical)) + "]",
        _ => element.GetRawText(),
    };
}
