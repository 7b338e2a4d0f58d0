using System.Text.Json;
using System.Text.RegularExpressions;

namespace Vapora.Deployment.Tests.Manifests;

/// <summary>
/// A container's environment as the kubelet makes it: <c>envFrom</c> in order (ConfigMaps, Secrets, prefixes), then
/// <c>env</c> entries (values with <c>$(VAR)</c> references, ConfigMap and Secret keys, pod fields), a later one
/// winning. Secrets come from <see cref="SecretPlaceholders"/>.
/// </summary>
public static partial class ContainerEnvironment
{
    /// <summary>Each variable with where it came from (<c>configMap vapora-config</c>, <c>env</c>, <c>secret …</c>).</summary>
    public static IReadOnlyList<EnvironmentEntry> Render(KubernetesObjects objects, JsonElement container, SecretPlaceholders secrets, string podName)
    {
        var entries = new List<EnvironmentEntry>();
        var referenced = new HashSet<string>(StringComparer.Ordinal);
        void Set(string name, string value, string source, bool fromEnvFrom = false)
        {
            entries.RemoveAll(e => e.Name == name);
            entries.Add(new EnvironmentEntry(name, value, source, fromEnvFrom));
        }

        if (container.TryGetProperty("envFrom", out var envFrom))
        {
            foreach (var from in envFrom.EnumerateArray())
            {
                var prefix = from.TryGetProperty("prefix", out var p) ? p.GetString() : string.Empty;
                var isConfigMap = from.TryGetProperty("configMapRef", out var reference);
                if (!isConfigMap && !from.TryGetProperty("secretRef", out reference))
                {
                    throw new NotSupportedException($"envFrom entry {from} is neither a configMapRef nor a secretRef.");
                }

                var name = reference.GetProperty("name").GetString()!;
                var data = isConfigMap ? Reference(objects.ConfigMapData(name), reference, "ConfigMap") : Reference(secrets.Secret(name), reference, "Secret");
                var source = $"{(isConfigMap ? "ConfigMap" : "Secret")} {name}";
                foreach (var (key, value) in data)
                {
                    Set(prefix + key, value, source, fromEnvFrom: true);
                }
            }
        }

        if (container.TryGetProperty("env", out var env))
        {
            foreach (var variable in env.EnumerateArray())
            {
                var name = variable.GetProperty("name").GetString()!;
                if (variable.TryGetProperty("value", out var value))
                {
                    Set(name, Expand(value.GetString() ?? string.Empty, entries, referenced), "env");
                }
                else if (variable.TryGetProperty("valueFrom", out var from) && Resolve(objects, secrets, from, podName) is { } resolved)
                {
                    Set(name, resolved.Value, resolved.Source);
                }
            }
        }

        return entries.Select(e => referenced.Contains(e.Name) ? e with { Referenced = true } : e).ToList();
    }

    private static IReadOnlyDictionary<string, string> Reference(IReadOnlyDictionary<string, string>? data, JsonElement reference, string kind) =>
        data ?? (reference.TryGetProperty("optional", out var optional) && optional.GetBoolean()
            ? new Dictionary<string, string>()
            : throw new InvalidOperationException($"The manifests need the {kind} {reference.GetProperty("name").GetString()}, which neither they nor the test's placeholders have."));

    private static (string Value, string Source)? Resolve(KubernetesObjects objects, SecretPlaceholders secrets, JsonElement from, string podName)
    {
        if (from.TryGetProperty("fieldRef", out var field))
        {
            return field.GetProperty("fieldPath").GetString() switch
            {
                "metadata.name" => (podName, "fieldRef"),
                "metadata.namespace" => ("vapora", "fieldRef"),
                var path => throw new NotSupportedException($"fieldRef {path} is not rendered by this test; add it to ContainerEnvironment."),
            };
        }

        var (kind, reference) = from.TryGetProperty("secretKeyRef", out var secret) ? ("Secret", secret)
            : from.TryGetProperty("configMapKeyRef", out var configMap) ? ("ConfigMap", configMap)
            : throw new NotSupportedException($"valueFrom {from} is not rendered by this test; add it to ContainerEnvironment.");
        var name = reference.GetProperty("name").GetString()!;
        var key = reference.GetProperty("key").GetString()!;
        var data = kind == "Secret" ? secrets.Secret(name) : objects.ConfigMapData(name);
        if (data is not null && data.TryGetValue(key, out var found))
        {
            return (found, $"{kind} {name}/{key}");
        }

        return reference.TryGetProperty("optional", out var optional) && optional.GetBoolean()
            ? null
            : throw new InvalidOperationException($"The manifests need key {key} of the {kind} {name}, which neither they nor the test's placeholders have.");
    }

    // $(NAME) is replaced by an earlier variable's value; $$(NAME) stays literally $(NAME); unknown names stay as written.
    private static string Expand(string value, List<EnvironmentEntry> earlier, HashSet<string> referenced) =>
        VariableReference().Replace(value, m =>
        {
            if (m.Value.StartsWith("$$", StringComparison.Ordinal))
            {
                return m.Value[1..];
            }

            var name = m.Groups["name"].Value;
            if (earlier.LastOrDefault(e => e.Name == name) is not { } found)
            {
                return m.Value;
            }

            referenced.Add(name);
            return found.Value;
        });

    [GeneratedRegex(@"\$?\$\((?<name>[A-Za-z_][A-Za-z0-9_.-]*)\)")]
    private static partial Regex VariableReference();
}
