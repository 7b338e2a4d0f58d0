using System.Collections.Concurrent;
using System.Text.Json;
using Vapora.Testing;

namespace Vapora.Operations.Tests.Kubernetes;

/// <summary>The Kubernetes manifests as kustomize renders them (deploy/k8s/validate.mjs --render), and ways to read them.</summary>
internal static class Manifests
{
    public static readonly string Directory = Path.Combine(RepositoryPaths.Root, "deploy", "k8s");

    /// <summary>Every kustomization deploy/k8s/validate.mjs checks.</summary>
    public static readonly string[] Targets =
    [
        "base", "overlays/production", "overlays/redis-cluster", "overlays/redis-sentinel", "overlays/production-monitoring",
        "overlays/production-otlp",
    ];

    // Rendering takes a second or two (node, kubectl): each target once per test run. JsonElements are read-only.
    private static readonly ConcurrentDictionary<string, Lazy<Task<List<JsonElement>>>> Rendered = new(StringComparer.Ordinal);

    /// <summary>The objects of <paramref name="target"/>, rendered with kubectl when it is installed.</summary>
    public static Task<List<JsonElement>> RenderAsync(string target) => Cached("--render", target);

    /// <summary>The objects of <paramref name="target"/>, rendered by deploy/k8s/render.mjs alone.</summary>
    public static Task<List<JsonElement>> RenderWithoutKubectlAsync(string target) => Cached("--render-without-kubectl", target);

    public static string Kind(this JsonElement o) => o.GetProperty("kind").GetString()!;

    public static string Name(this JsonElement o) => o.GetProperty("metadata").GetProperty("name").GetString()!;

    /// <summary>The one object of <paramref name="kind"/> named <paramref name="name"/>.</summary>
    public static JsonElement Find(this IEnumerable<JsonElement> objects, string kind, string name) =>
        objects.Single(o => o.Kind() == kind && o.Name() == name);

    /// <summary>The one ConfigMap generated from <paramref name="name"/> (its name carries a content hash).</summary>
    public static JsonElement GeneratedConfigMap(this IEnumerable<JsonElement> objects, string name) =>
        objects.Single(o => o.Kind() == "ConfigMap" && o.Name().StartsWith(name + "-", StringComparison.Ordinal)
            && o.Name().Length == name.Length + 11);

    /// <summary>The pod template's spec of a workload (Deployment, StatefulSet, Job).</summary>
    public static JsonElement PodSpec(this JsonElement workload) =>
        workload.GetProperty("spec").GetProperty("template").GetProperty("spec");

    public static IEnumerable<JsonElement> Containers(this JsonElement podSpec, bool includeInit = true) =>
        podSpec.GetProperty("containers").EnumerateArray()
            .Concat(includeInit && podSpec.TryGetProperty("initContainers", out var init) ? init.EnumerateArray() : []);

    public static IEnumerable<string> Strings(this JsonElement array) => array.EnumerateArray().Select(a => a.GetString()!);

    /// <summary>The workloads that run pods.</summary>
    public static IEnumerable<JsonElement> Workloads(this IEnumerable<JsonElement> objects) =>
        objects.Where(o => o.Kind() is "Deployment" or "StatefulSet" or "DaemonSet" or "Job");

    private static Task<List<JsonElement>> Cached(string flag, string target) =>
        Rendered.GetOrAdd($"{flag} {target}", key => new Lazy<Task<List<JsonElement>>>(() => RenderAsync(flag, target))).Value;

    private static async Task<List<JsonElement>> RenderAsync(string flag, string target)
    {
        var (exitCode, output) = await ToolRun.RunAsync("node", [Path.Combine(Directory, "validate.mjs"), flag, target], Directory);
        Assert.True(exitCode == 0, output);
        return JsonDocument.Parse(output).RootElement.EnumerateArray().Select(e => e.Clone()).ToList();
    }
}
