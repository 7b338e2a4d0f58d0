using Vapora.Deployment.Tests.Manifests;
using Vapora.Deployment.Tests.Podman;
using Vapora.Testing;

namespace Vapora.Deployment.Tests;

/// <summary>
/// deploy/k8s/overlays/production, what users apply, run on podman: Redis, workflow-api and realtime-gateway
/// each started as its Deployment says (<see cref="KubeletOnPodman"/>), with the images built here from the shipped
/// Dockerfiles, in one network where each pod answers to its Services' names (redis, workflow-api). The rendered
/// environment is used as it is, with Secrets from <see cref="SecretPlaceholders"/> and one override for this
/// machine, <see cref="ThisMachine"/>. MongoDB is not started: it has no image here.
/// </summary>
/// <param name="images">Built before anything starts.</param>
public sealed class ManifestDeployment(ServiceImages images) : IAsyncLifetime
{
    public const string Overlay = "overlays/production";

    /// <summary>
    /// The one change to the manifests' settings: no MongoDB here, so the API keeps its workflows in SQLite on the
    /// manifest's own /tmp volume (an emptyDir).
    /// </summary>
    public static readonly IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> ThisMachine = new Dictionary<string, IReadOnlyDictionary<string, string>>
    {
        ["workflow-api"] = new Dictionary<string, string>
        {
            ["Storage__Provider"] = "sqlite",
            ["ConnectionStrings__sqlite"] = "Data Source=/tmp/vapora.db",
        },
    };

    private readonly Dictionary<string, RunningContainer> _containers = [];
    private string? _network;

    public KubernetesObjects Objects { get; private set; } = null!;

    public SecretPlaceholders Secrets { get; private set; } = null!;

    public RunningContainer this[string deployment] => _containers[deployment];

    /// <summary>How long the images took to make in this run.</summary>
    public TimeSpan ImageBuildTime => images.BuildTime;

    public async ValueTask InitializeAsync()
    {
        Objects = await KubernetesObjects.RenderAsync(Overlay);
        var config = Objects.GeneratedConfigMapData("vapora-config") ?? throw new InvalidOperationException("No ConfigMap vapora-config.");
        Secrets = new SecretPlaceholders(new TokenFactory(), config["Auth__Jwt__Issuer"], config["Auth__Jwt__Audience"]);
        _network = PodmanCli.NewName("vapora-k8s");
        await PodmanCli.CheckAsync("network", "create", "--label", PodmanCli.Label + "=manifests", _network);
        try
        {
            // As in a cluster, nothing waits for anything: each pod starts at once and its probes say when it serves.
            foreach (var deployment in new[] { "redis", "workflow-api", "realtime-gateway" })
            {
                var pod = new PodContainer(Objects, deployment, Secrets);
                _containers[deployment] = await KubeletOnPodman.StartAsync(pod, ServiceImages.ForDeployment(deployment), _network, Secrets, Objects,
                    ThisMachine.GetValueOrDefault(deployment));
            }
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var container in _containers.Values)
        {
            await container.DisposeAsync();
        }

        _containers.Clear();
        if (_network is not null)
        {
            await PodmanCli.RunAsync("network", "rm", "--force", _network);
            _network = null;
        }
    }
}
