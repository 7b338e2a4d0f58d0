using System.Globalization;
using Vapora.Deployment.Tests.Podman;
using Vapora.Testing;

namespace Vapora.Deployment.Tests.Manifests;

/// <summary>A container started from a manifest: its published ports, probes, logs; removed (by its name) on dispose.</summary>
public sealed class RunningContainer : IAsyncDisposable
{
    private readonly IReadOnlyDictionary<int, int> _hostPorts;
    private readonly string? _volumeDirectory;

    internal RunningContainer(string name, PodContainer pod, IReadOnlyDictionary<int, int> hostPorts, string? volumeDirectory)
    {
        Name = name;
        Pod = pod;
        _hostPorts = hostPorts;
        _volumeDirectory = volumeDirectory;
    }

    public string Name { get; }

    public PodContainer Pod { get; }

    /// <summary>The loopback URL of a container port.</summary>
    public Uri Url(int containerPort, string path = "/") =>
        _hostPorts.TryGetValue(containerPort, out var host)
            ? new Uri($"http://127.0.0.1:{host.ToString(CultureInfo.InvariantCulture)}{path}")
            : throw new InvalidOperationException($"{Pod.Deployment} declares no container port {containerPort}, so none is published.");

    /// <summary>Runs a command in the container; its exit code and output.</summary>
    public Task<CommandResult> ExecAsync(params string[] command) => PodmanCli.RunAsync(["exec", Name, .. command]);

    public async Task<string> LogsAsync()
    {
        var logs = await PodmanCli.RunAsync("logs", Name);
        return logs.Output + logs.Error;
    }

    /// <summary>
    /// Whether the probe succeeds now, as the kubelet would judge it (HTTP 200–399, exit 0, a connection); a failed
    /// one throws with what it got, so that a poll's time-out says it.
    /// </summary>
    public async Task<bool> ProbeAsync(ProbeSpec probe, HttpClient http)
    {
        if (probe.Command is not null)
        {
            var exec = await ExecAsync([.. probe.Command]);
            return exec.Succeeded ? true : throw new InvalidOperationException($"exit {exec.ExitCode} {exec.Output}{exec.Error}".Trim());
        }

        if (probe.Path is null)
        {
            using var tcp = new System.Net.Sockets.TcpClient();
            await tcp.ConnectAsync(Url(probe.Port!.Value).Host, Url(probe.Port.Value).Port);
            return true;
        }

        using var response = await http.GetAsync(Url(probe.Port!.Value, probe.Path));
        return (int)response.StatusCode is >= 200 and < 400 ? true : throw new HttpRequestException($"HTTP {(int)response.StatusCode} {response.StatusCode}");
    }

    /// <summary>True while the container runs.</summary>
    public async Task<bool> IsRunningAsync() =>
        (await PodmanCli.RunAsync("inspect", "--format", "{{.State.Running}}", Name)).Output.Trim() == "true";

    public async ValueTask DisposeAsync()
    {
        try
        {
            await File.WriteAllTextAsync(Path.Combine(RepositoryPaths.TestLogs, $"{DateTime.UtcNow:HHmmss.fff}-{Name}.log"), await LogsAsync());
        }
        finally
        {
            await PodmanCli.RunAsync("rm", "--force", "--time", "10", Name);
            if (_volumeDirectory is not null)
            {
                Directory.Delete(_volumeDirectory, recursive: true);
            }
        }
    }
}
