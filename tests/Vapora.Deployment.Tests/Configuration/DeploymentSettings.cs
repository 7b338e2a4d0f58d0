using Vapora.Deployment.Tests.Manifests;
using Vapora.Deployment.Tests.Podman;
using Vapora.Testing;
using YamlDotNet.RepresentationModel;

namespace Vapora.Deployment.Tests.Configuration;

/// <summary>The settings the shipped deployment files give the two services, each with where it is set.</summary>
public static class DeploymentSettings
{
    /// <summary>Every kustomization users apply: the base and each overlay.</summary>
    public static IReadOnlyList<string> Kustomizations { get; } =
        Directory.EnumerateDirectories(Path.Combine(RepositoryPaths.Root, "deploy", "k8s", "overlays"))
            .Where(d => File.Exists(Path.Combine(d, "kustomization.yaml")))
            .Select(d => "overlays/" + Path.GetFileName(d))
            .Order(StringComparer.Ordinal)
            .Prepend("base")
            .ToList();

    public static readonly string[] Services = ["workflow-api", "realtime-gateway"];

    /// <summary>The rendered environment of each service's Deployment in <paramref name="kustomization"/>.</summary>
    public static async Task<IReadOnlyList<(string Service, EnvironmentEntry Entry)>> OfKubernetesAsync(string kustomization)
    {
        var objects = await KubernetesObjects.RenderAsync(kustomization);
        var config = objects.GeneratedConfigMapData("vapora-config") ?? new Dictionary<string, string>();
        var secrets = new SecretPlaceholders(new TokenFactory(), config.GetValueOrDefault("Auth__Jwt__Issuer", "issuer"), config.GetValueOrDefault("Auth__Jwt__Audience", "vapora"));
        return Services.SelectMany(service => new PodContainer(objects, service, secrets).Environment.Select(e => (service, e))).ToList();
    }

    /// <summary>
    /// The environment docker-compose gives the API and gateway services, from <paramref name="files"/> merged as
    /// `docker-compose config` merges them (every profile's services included).
    /// </summary>
    public static async Task<IReadOnlyList<(string Service, string Key, string Where)>> OfComposeAsync(params string[] files)
    {
        var arguments = files.SelectMany(f => new[] { "-f", f }).Append("config");
        var output = await Command.CheckAsync("docker-compose", arguments, TimeSpan.FromMinutes(1));
        var yaml = new YamlStream();
        yaml.Load(new StringReader(output));
        var services = (YamlMappingNode)((YamlMappingNode)yaml.Documents[0].RootNode)["services"];
        var settings = new List<(string, string, string)>();
        foreach (var (name, node) in services.Children)
        {
            var image = ((YamlMappingNode)node).Children.TryGetValue("image", out var i) ? i.ToString() : string.Empty;
            var service = image.Contains("workflow-api", StringComparison.Ordinal) ? "workflow-api"
                : image.Contains("realtime-gateway", StringComparison.Ordinal) ? "realtime-gateway" : null;
            if (service is null || !((YamlMappingNode)node).Children.TryGetValue("environment", out var environment))
            {
                continue;
            }

            settings.AddRange(((YamlMappingNode)environment).Children.Keys.Select(k => (service, k.ToString(), $"{string.Join(" + ", files)}: {name}")));
        }

        return settings;
    }

    /// <summary>The ENV of each service's Dockerfile.</summary>
    public static IReadOnlyList<(string Service, string Key)> OfDockerfiles()
    {
        var settings = new List<(string, string)>();
        foreach (var service in Services)
        {
            var lines = File.ReadAllLines(Path.Combine(RepositoryPaths.Root, "services", service, "Dockerfile"));
            var inEnv = false;
            foreach (var line in lines)
            {
                var text = line.Trim();
                if (text.StartsWith("ENV ", StringComparison.Ordinal))
                {
                    inEnv = true;
                    text = text[4..];
                }

                if (!inEnv)
                {
                    continue;
                }

                settings.AddRange(text.TrimEnd('\\').Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(pair => (service, pair.Split('=')[0])));
                inEnv = text.EndsWith('\\');
            }
        }

        return settings;
    }
}
