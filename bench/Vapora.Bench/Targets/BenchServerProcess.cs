using System.Globalization;
using Vapora.Testing;

namespace Vapora.Bench.Targets;

/// <summary>
/// A server of bench/ (the SignalR peer, the ceiling app) as a process on a free loopback port, started like
/// ServiceProcess starts the Vapora services (Release build of the harness, workstation GC), stopped by its PID.
/// </summary>
internal sealed class BenchServerProcess : IAsyncDisposable
{
    private readonly ManagedProcess _process;

    private BenchServerProcess(ManagedProcess process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    public int Pid => _process.Pid;

    public Uri BaseUrl => new($"http://127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}/");

    public Uri WebSocketUrl(string pathAndQuery) => new($"ws://127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}{pathAndQuery}");

    public static async Task<BenchServerProcess> StartAsync(string project, IEnumerable<KeyValuePair<string, string?>> environment, CancellationToken cancellationToken)
    {
        var dll = Path.Combine(RepositoryPaths.Root, "bench", project, "bin", RepositoryPaths.Configuration, "net10.0", project + ".dll");
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException($"{dll} is not built; build bench/Vapora.Bench (it builds {project}) in {RepositoryPaths.Configuration}.", dll);
        }

        var port = TestPorts.GetFree();
        var env = new Dictionary<string, string?>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            // The same GC as ServiceProcess gives the gateway, so memory and CPU compare like with like.
            ["DOTNET_gcServer"] = "0",
        };
        foreach (var (key, value) in environment)
        {
            env[key] = value;
        }

        var process = ManagedProcess.Start($"{project}-{port}", "dotnet",
            [dll, "--urls", $"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}"], env, Path.GetDirectoryName(dll));
        var server = new BenchServerProcess(process, port);
        try
        {
            using var probe = new HttpClient { BaseAddress = server.BaseUrl, Timeout = TimeSpan.FromSeconds(2) };
            await Poll.UntilAsync(async () =>
            {
                if (process.HasExited)
                {
                    throw new PollFailedException($"{project} exited during start-up:{Environment.NewLine}{process.Tail()}");
                }

                using var response = await probe.GetAsync("health", cancellationToken);
                return response.IsSuccessStatusCode;
            }, TimeSpan.FromSeconds(60), $"{project} to answer /health on port {port}");
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }

        return server;
    }

    public ValueTask DisposeAsync() => _process.DisposeAsync();
}
