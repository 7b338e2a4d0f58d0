using System.Net.Sockets;
using Vapora.Deployment.Tests.Podman;
using Vapora.Testing;

namespace Vapora.Deployment.Tests.Compose;

/// <summary>
/// The shipped docker-compose.yml, run by docker-compose 1.29 through a podman system service (DOCKER_HOST), with
/// docker-compose.podman.yml for this machine (SQLite instead of MongoDB, the local Redis and nginx stand-ins):
/// nginx from deploy/nginx on a free loopback port (VAPORA_HTTP_PORT), three gateways, the API, Redis, started
/// in the order of their health conditions. podman has no systemd here to run the health checks on their
/// interval, so the stack runs them while compose waits for them (<see cref="HealthChecks"/>). On dispose: the
/// services' logs to artifacts/test-logs, `docker-compose down -v`, the podman service stopped.
/// </summary>
/// <param name="images">Built before the stack starts.</param>
public sealed class ComposeStack(ServiceImages images) : IAsyncLifetime
{
    /// <summary>What `docker-compose up` starts: everything but mongo (which the override replaces by SQLite).</summary>
    public static readonly string[] Services = ["redis", "api", "gateway-1", "gateway-2", "gateway-3", "nginx"];

    private static readonly string[] Files = ["-f", "docker-compose.yml", "-f", "docker-compose.podman.yml"];

    private readonly string _project = PodmanCli.NewName("vapora-compose");
    private readonly int _port = TestPorts.GetFree();
    private string? _socketDirectory;
    private ManagedProcess? _podmanService;
    private Dictionary<string, string?> _environment = [];

    /// <summary>nginx, the stack's only published port.</summary>
    public Uri BaseUrl => new($"http://127.0.0.1:{_port}/");

    /// <summary>How long `docker-compose up` took (health-gated start included).</summary>
    public TimeSpan StartTime { get; private set; }

    /// <summary>How long the images took to make in this run.</summary>
    public TimeSpan ImageBuildTime => images.BuildTime;

    public async ValueTask InitializeAsync()
    {
        _socketDirectory = Directory.CreateTempSubdirectory("vapora-podman-service-").FullName;
        var socket = Path.Combine(_socketDirectory, "podman.sock");
        // Stopped on dispose; should a crashed run leave it behind, it ends itself after 5 idle minutes.
        _podmanService = ManagedProcess.Start("podman-service", "podman", ["system", "service", "--time=300", $"unix://{socket}"], PodmanCli.Environment);
        _environment = new Dictionary<string, string?>(PodmanCli.Environment)
        {
            ["DOCKER_HOST"] = $"unix://{socket}",
            ["VAPORA_HTTP_PORT"] = $"127.0.0.1:{_port}",
        };
        try
        {
            await Poll.UntilAsync(() => CanConnect(socket), TimeSpan.FromSeconds(30), "the podman service to listen");
            var started = System.Diagnostics.Stopwatch.StartNew();
            using (var health = new HealthChecks(_project))
            {
                await ComposeAsync(TimeSpan.FromMinutes(5), ["up", "--detach", "--no-build", "--no-deps", .. Services]);
            }

            StartTime = started.Elapsed;
            using var http = new HttpClient { BaseAddress = BaseUrl, Timeout = TimeSpan.FromSeconds(5) };
            await Poll.UntilAsync(async () => (await http.GetAsync("api/workflows")).IsSuccessStatusCode && (await http.GetAsync("/")).IsSuccessStatusCode,
                TimeSpan.FromSeconds(60), "nginx to serve the API and the page");
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    /// <summary>Runs docker-compose on this stack (<c>kill gateway-2</c>, <c>restart redis</c>…).</summary>
    public Task<string> ComposeAsync(params string[] arguments) => ComposeAsync(TimeSpan.FromMinutes(2), arguments);

    /// <summary>A service's Prometheus scrape, read inside its container (nginx routes no /metrics to the API).</summary>
    public async Task<MetricsSnapshot> MetricsAsync(string service) =>
        MetricsSnapshot.Parse(await PodmanCli.CheckAsync("exec", $"{_project}_{service}_1", "wget", "-q", "-O", "-", "http://127.0.0.1:8080/metrics"));

    public async ValueTask DisposeAsync()
    {
        if (_podmanService is not null && !_podmanService.HasExited)
        {
            try
            {
                var logs = await Command.RunAsync("docker-compose", [.. Files, "-p", _project, "logs", "--no-color", "--timestamps"], TimeSpan.FromMinutes(1), _environment);
                await File.WriteAllTextAsync(Path.Combine(RepositoryPaths.TestLogs, $"{DateTime.UtcNow:HHmmss.fff}-{_project}.log"), logs.Output + logs.Error);
            }
            finally
            {
                await Command.RunAsync("docker-compose", [.. Files, "-p", _project, "down", "--volumes", "--remove-orphans", "--timeout", "10"], TimeSpan.FromMinutes(2), _environment);
            }
        }

        // Whatever compose could not remove (it failed half-way, or the service died): by the project's label.
        var leftovers = await PodmanCli.RunAsync("ps", "--all", "--quiet", "--filter", $"label=com.docker.compose.project={_project}");
        foreach (var id in leftovers.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            await PodmanCli.RunAsync("rm", "--force", "--time", "5", id);
        }

        await PodmanCli.RunAsync("network", "rm", "--force", $"{_project}_default");
        foreach (var volume in (await PodmanCli.RunAsync("volume", "ls", "--quiet", "--filter", $"label=com.docker.compose.project={_project}")).Output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            await PodmanCli.RunAsync("volume", "rm", "--force", volume);
        }

        if (_podmanService is not null)
        {
            await _podmanService.DisposeAsync();
            _podmanService = null;
        }

        if (_socketDirectory is not null && Directory.Exists(_socketDirectory))
        {
            Directory.Delete(_socketDirectory, recursive: true);
        }
    }

    private Task<string> ComposeAsync(TimeSpan timeout, string[] arguments) =>
        Command.CheckAsync("docker-compose", [.. Files, "-p", _project, .. arguments], timeout, _environment);

    private static bool CanConnect(string socket)
    {
        if (!File.Exists(socket))
        {
            return false;
        }

        using var client = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        client.Connect(new UnixDomainSocketEndPoint(socket));
        return true;
    }
}
