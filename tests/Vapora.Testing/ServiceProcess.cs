using System.Globalization;
using System.Net;
using System.Text.Json;

namespace Vapora.Testing;

/// <summary>A Vapora service (workflow-api or realtime-gateway) running as a real process on a free loopback port.</summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    private readonly string _name;
    private readonly string _dll;
    private readonly Dictionary<string, string?> _environment;
    private ManagedProcess _process;

    private ServiceProcess(string name, string dll, int port, Dictionary<string, string?> environment, ManagedProcess process)
    {
        _name = name;
        _dll = dll;
        Port = port;
        _environment = environment;
        _process = process;
        Http = new HttpClient { BaseAddress = BaseUrl, Timeout = TimeSpan.FromSeconds(30) };
    }

    public int Port { get; }

    public Uri BaseUrl => new($"http://127.0.0.1:{Port}/");

    public Uri WebSocketUrl(string path) => new($"ws://127.0.0.1:{Port}{path}");

    /// <summary>A client for this process (plain HTTP, no retries).</summary>
    public HttpClient Http { get; }

    public int Pid => _process.Pid;

    public bool HasExited => _process.HasExited;

    public ManagedProcess Process => _process;

    /// <summary>Starts workflow-api with the in-memory store unless <paramref name="environment"/> says otherwise.</summary>
    public static Task<ServiceProcess> StartApiAsync(string redis, IReadOnlyDictionary<string, string?>? environment = null, int? port = null)
    {
        var env = Settings.Layer(new Dictionary<string, string?>
        {
            ["ConnectionStrings__redis"] = redis,
            ["Storage__Provider"] = "memory",
        }, environment);
        return StartAsync("api", RepositoryPaths.ServiceDll("workflow-api", "Vapora.WorkflowApi"), env, port);
    }

    /// <summary>Starts a realtime-gateway reading the update log from <paramref name="apiUrl"/>.</summary>
    public static Task<ServiceProcess> StartGatewayAsync(string redis, Uri apiUrl, IReadOnlyDictionary<string, string?>? environment = null, int? port = null)
    {
        var env = Settings.Layer(new Dictionary<string, string?>
        {
            ["ConnectionStrings__redis"] = redis,
            ["Gateway__WorkflowApiUrl"] = apiUrl.ToString(),
        }, environment);
        return StartAsync("gateway", RepositoryPaths.ServiceDll("realtime-gateway", "Vapora.RealtimeGateway"), env, port);
    }

    /// <summary>Kills the process (kill -9).</summary>
    public async Task KillAsync()
    {
        _process.Kill();
        await _process.WaitForExitAsync(TimeSpan.FromSeconds(10));
    }

    /// <summary>Sends SIGTERM and waits for a graceful exit.</summary>
    public async Task<bool> TerminateAsync(TimeSpan timeout)
    {
        _process.Terminate();
        return await _process.WaitForExitAsync(timeout);
    }

    /// <summary>Starts the service again on the same port with the same settings (after a kill or exit).</summary>
    public async Task RestartAsync()
    {
        if (!_process.HasExited)
        {
            await KillAsync();
        }

        await _process.DisposeAsync();
        _process = Launch(_name, _dll, Port, _environment);
        await WaitUntilLiveAsync(_process, BaseUrl);
    }

    /// <summary>Polls <c>/health/ready</c> until it answers <paramref name="expected"/>; returns the JSON report.</summary>
    public async Task<JsonElement> WaitForReadinessAsync(HttpStatusCode expected, TimeSpan? timeout = null)
    {
        JsonElement report = default;
        await Poll.UntilAsync(async () =>
        {
            using var response = await Http.GetAsync("health/ready");
            report = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
            return response.StatusCode == expected;
        }, timeout ?? TimeSpan.FromSeconds(30), $"{_process.Name} readiness to be {(int)expected}");
        return report;
    }

    /// <summary>Everything the process wrote so far (its log file).</summary>
    public string Log()
    {
        using var stream = new FileStream(_process.LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        return new StreamReader(stream).ReadToEnd();
    }

    /// <summary>The process's Prometheus scrape.</summary>
    public async Task<MetricsSnapshot> MetricsAsync() => MetricsSnapshot.Parse(await Http.GetStringAsync("metrics"));

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _process.DisposeAsync();
    }

    private static async Task<ServiceProcess> StartAsync(string name, string dll, Dictionary<string, string?> environment, int? port)
    {
        var chosen = port ?? TestPorts.GetFree();
        var process = Launch(name, dll, chosen, environment);
        var service = new ServiceProcess(name, dll, chosen, environment, process);
        try
        {
            await WaitUntilLiveAsync(process, service.BaseUrl);
        }
        catch
        {
            await service.DisposeAsync();
            throw;
        }

        return service;
    }

    private static ManagedProcess Launch(string name, string dll, int port, Dictionary<string, string?> environment)
    {
        var env = Settings.Layer(new Dictionary<string, string?>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            // Most tests exercise behaviour, not authentication; the security tests set Auth__Mode=jwt.
            ["Auth__Mode"] = "none",
            ["DOTNET_gcServer"] = "0",
            ["Logging__Console__FormatterName"] = "simple",
            ["Logging__Console__FormatterOptions__SingleLine"] = "true",
            ["Logging__Console__FormatterOptions__TimestampFormat"] = "HH:mm:ss.fff ",
        }, environment);
        return ManagedProcess.Start($"{name}-{port}", "dotnet",
            [dll, "--urls", $"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}"], env,
            workingDirectory: Path.GetDirectoryName(dll));
    }

    private static async Task WaitUntilLiveAsync(ManagedProcess process, Uri baseUrl)
    {
        using var probe = new HttpClient { BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            if (process.HasExited)
            {
                // Waiting for the exit also drains what the process wrote last (usually why it stopped).
                await process.WaitForExitAsync(TimeSpan.FromSeconds(5));
                throw new InvalidOperationException($"{process.Name} exited during start-up:{Environment.NewLine}{process.Tail()}");
            }

            try
            {
                using var response = await probe.GetAsync("health/live");
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException)
            {
                // Slow to answer while starting.
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{process.Name} did not answer /health/live within 60 s:{Environment.NewLine}{process.Tail()}");
            }

            await Task.Delay(50);
        }
    }
}
