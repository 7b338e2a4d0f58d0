using System.Text.Json;
using Vapora.Deployment.Tests.Podman;
using Vapora.Testing;

namespace Vapora.Deployment.Tests.Manifests;

/// <summary>
/// The objects a kustomization of deploy/k8s renders to, as `kubectl apply -k` would send them (rendered by
/// deploy/k8s/validate.mjs: kubectl's kustomize when installed, else its own renderer of the features used).
/// </summary>
public sealed class KubernetesObjects
{
    private KubernetesObjects(string target, IReadOnlyList<JsonElement> objects)
    {
        Target = target;
        All = objects;
    }

    /// <summary>The kustomization, relative to deploy/k8s (such as <c>overlays/production</c>).</summary>
    public string Target { get; }

    public IReadOnlyList<JsonElement> All { get; }

    public static async Task<KubernetesObjects> RenderAsync(string target)
    {
        var k8s = Path.Combine(RepositoryPaths.Root, "deploy", "k8s");
        var result = await Command.RunAsync("node", [Path.Combine(k8s, "validate.mjs"), "--render", target], TimeSpan.FromMinutes(1), workingDirectory: k8s);
        if (!result.Succeeded)
        {
            throw new InvalidOperationException($"Rendering deploy/k8s/{target} failed:{Environment.NewLine}{result.Output}{result.Error}");
        }

        return new KubernetesObjects(target, JsonDocument.Parse(result.Output).RootElement.EnumerateArray().Select(e => e.Clone()).ToList());
    }

    public IEnumerable<JsonElement> OfKind(string kind) => All.Where(o => o.GetProperty("kind").GetString() == kind);

    public JsonElement Single(string kind, string name) =>
        OfKind(kind).SingleOrDefault(o => NameOf(o) == name) is { ValueKind: JsonValueKind.Object } found
            ? found
            : throw new InvalidOperationException($"deploy/k8s/{Target} has no {kind} named {name}.");

    /// <summary>The Deployment or StatefulSet of that name.</summary>
    public JsonElement Workload(string name) =>
        All.SingleOrDefault(o => o.GetProperty("kind").GetString() is "Deployment" or "StatefulSet" && NameOf(o) == name) is { ValueKind: JsonValueKind.Object } found
            ? found
            : throw new InvalidOperationException($"deploy/k8s/{Target} has no Deployment or StatefulSet named {name}.");

    /// <summary>
    /// The data of the ConfigMap a configMapGenerator made under <paramref name="name"/> (its rendered name carries a
    /// hash of its content), or of the plain ConfigMap of that name.
    /// </summary>
    public IReadOnlyDictionary<string, string>? GeneratedConfigMapData(string name) =>
        ConfigMapData(name) ?? OfKind("ConfigMap").Select(NameOf).Where(n => n.StartsWith(name + "-", StringComparison.Ordinal)).Select(ConfigMapData).SingleOrDefault();

    /// <summary>The data of a ConfigMap (null when there is none of that name).</summary>
    public IReadOnlyDictionary<string, string>? ConfigMapData(string name) =>
        OfKind("ConfigMap").FirstOrDefault(o => NameOf(o) == name) is { ValueKind: JsonValueKind.Object } map
            ? (map.TryGetProperty("data", out var data) ? data.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? string.Empty) : [])
            : null;

    /// <summary>The Services whose selector matches <paramref name="podLabels"/>: the names other pods reach these pods by.</summary>
    public IEnumerable<JsonElement> ServicesSelecting(IReadOnlyDictionary<string, string> podLabels) =>
        OfKind("Service").Where(s => s.GetProperty("spec").TryGetProperty("selector", out var selector)
            && selector.EnumerateObject().All(p => podLabels.TryGetValue(p.Name, out var value) && value == p.Value.GetString()));

    public static string NameOf(JsonElement o) => o.GetProperty("metadata").GetProperty("name").GetString()!;
}
