using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Vapora.Testing;

/// <summary>
/// A real Prometheus (Debian's <c>prometheus</c>) on a free loopback port with a throwaway config and storage
/// directory: it scrapes the given targets and evaluates the given rule files at short intervals.
/// </summary>
public sealed class PrometheusServer : IAsyncDisposable
{
    private readonly string _directory;
    private ManagedProcess? _process;

    private PrometheusServer(string directory, int port)
    {
        _directory = directory;
        Port = port;
        Http = new HttpClient { BaseAddress = BaseUrl, Timeout = TimeSpan.FromSeconds(10) };
    }

    public int Port { get; }

    public Uri BaseUrl => new($"http://127.0.0.1:{Port}/");

    /// <summary>The Prometheus process.</summary>
    public int Pid => _process!.Pid;

    public HttpClient Http { get; }

    /// <summary>Where to put files the config refers to (rule files); deleted with the server.</summary>
    public string Directory => _directory;

    /// <summary>
    /// Starts Prometheus scraping <paramref name="jobs"/> (job name → host:port targets, <c>/metrics</c>) every
    /// <paramref name="interval"/>, which is also the rule evaluation interval, with the rule files
    /// <paramref name="ruleFiles"/> (written by <paramref name="writeRules"/> into <see cref="Directory"/> first).
    /// </summary>
    public static async Task<PrometheusServer> StartAsync(
        IReadOnlyDictionary<string, IReadOnlyList<string>> jobs, TimeSpan interval, Func<string, IEnumerable<string>>? writeRules = null)
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("vapora-prometheus-").FullName;
        var server = new PrometheusServer(directory, TestPorts.GetFree());
        try
        {
            var ruleFiles = writeRules?.Invoke(directory).ToList() ?? [];
            var config = Path.Combine(directory, "prometheus.yml");
            await File.WriteAllTextAsync(config, Configuration(jobs, interval, ruleFiles));
            server._process = ManagedProcess.Start($"prometheus-{server.Port}", "prometheus",
            [
                "--config.file=" + config,
                "--storage.tsdb.path=" + Path.Combine(directory, "data"),
                "--web.listen-address=127.0.0.1:" + server.Port.ToString(CultureInfo.InvariantCulture),
                "--storage.tsdb.retention.time=1h",
            ]);
            await Poll.UntilAsync(async () =>
            {
                if (server._process.HasExited)
                {
                    throw new PollFailedException("prometheus exited: " + server._process.Tail());
                }

                using var ready = await server.Http.GetAsync("-/ready");
                return ready.IsSuccessStatusCode;
            }, TimeSpan.FromSeconds(30), $"prometheus on port {server.Port} to be ready");
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>Runs an instant PromQL query and returns its result (a vector's samples); fails on a query error.</summary>
    public async Task<IReadOnlyList<PromSample>> QueryAsync(string promql, CancellationToken cancellationToken = default)
    {
        using var response = await Http.GetAsync("api/v1/query?query=" + Uri.EscapeDataString(promql), cancellationToken);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
        if (body.GetProperty("status").GetString() != "success")
        {
            throw new InvalidOperationException($"PromQL error for {promql}: {body.GetProperty("error").GetString()}");
        }

        var data = body.GetProperty("data");
        var result = data.GetProperty("result");
        return data.GetProperty("resultType").GetString() switch
        {
            "vector" => result.EnumerateArray().Select(PromSample.FromVector).ToList(),
            "scalar" => [new PromSample(new Dictionary<string, string>(), ParseValue(result[1].GetString()!))],
            var other => throw new InvalidOperationException($"Unexpected result type {other} for {promql}"),
        };
    }

    /// <summary>The active (pending and firing) alerts, as <c>/api/v1/alerts</c> lists them.</summary>
    public async Task<IReadOnlyList<PromAlert>> AlertsAsync(CancellationToken cancellationToken = default)
    {
        var body = await Http.GetFromJsonAsync<JsonElement>("api/v1/alerts", cancellationToken);
        return body.GetProperty("data").GetProperty("alerts").EnumerateArray().Select(a => new PromAlert(
            Labels(a.GetProperty("labels")),
            Labels(a.GetProperty("annotations")),
            a.GetProperty("state").GetString()!)).ToList();
    }

    /// <summary>Values of a label over the series that match <paramref name="match"/> (what Grafana's label_values asks).</summary>
    public async Task<IReadOnlyList<string>> LabelValuesAsync(string label, string match, CancellationToken cancellationToken = default)
    {
        var body = await Http.GetFromJsonAsync<JsonElement>(
            $"api/v1/label/{Uri.EscapeDataString(label)}/values?match[]={Uri.EscapeDataString(match)}", cancellationToken);
        return body.GetProperty("data").EnumerateArray().Select(v => v.GetString()!).ToList();
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (_process is not null)
        {
            await _process.DisposeAsync();
        }

        System.IO.Directory.Delete(_directory, recursive: true);
    }

    internal static double ParseValue(string text) => text switch
    {
        "NaN" => double.NaN,
        "+Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        _ => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture),
    };

    private static Dictionary<string, string> Labels(JsonElement labels) =>
        labels.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);

    private static string Seconds(TimeSpan span) => ((int)Math.Ceiling(span.TotalSeconds)).ToString(CultureInfo.InvariantCulture) + "s";

    private static string Configuration(IReadOnlyDictionary<string, IReadOnlyList<string>> jobs, TimeSpan interval, IReadOnlyList<string> ruleFiles)
    {
        var yaml = new StringBuilder();
        yaml.Append(CultureInfo.InvariantCulture, $"""
            global:
              scrape_interval: {Seconds(interval)}
              scrape_timeout: {Seconds(interval)}
              evaluation_interval: {Seconds(interval)}
            rule_files:

            """);
        foreach (var file in ruleFiles)
        {
            yaml.Append(CultureInfo.InvariantCulture, $"  - \"{file}\"\n");
        }

        yaml.Append("scrape_configs:\n");
        foreach (var (job, targets) in jobs)
        {
            yaml.Append(CultureInfo.InvariantCulture, $"""
                  - job_name: "{job}"
                    metrics_path: /metrics
                    static_configs:
                      - targets: [{string.Join(", ", targets.Select(t => $"\"{t}\""))}]

                """);
        }

        return yaml.ToString();
    }
}
