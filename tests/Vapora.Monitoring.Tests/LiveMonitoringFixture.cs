using Vapora.Testing;

namespace Vapora.Monitoring.Tests;

/// <summary>
/// A real Prometheus scraping a real workflow-api and two gateways every second and evaluating the shipped alert
/// rules (only their <c>for:</c> shortened, see <see cref="MonitoringFiles.WithFor"/>). Gateway B has a
/// connection limit of <see cref="GatewayBLimit"/> so the connection-limit alert can be reached with a few sockets.
/// </summary>
public sealed class LiveMonitoringFixture : IAsyncLifetime
{
    public const int GatewayBLimit = 4;

    /// <summary>Every <c>for:</c> of the shipped rules becomes this in the live test.</summary>
    public const string ShortFor = "2s";

    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    public RedisServer Redis { get; private set; } = null!;

    public ServiceProcess Api { get; private set; } = null!;

    public ServiceProcess GatewayA { get; private set; } = null!;

    public ServiceProcess GatewayB { get; private set; } = null!;

    public PrometheusServer Prometheus { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        // Health checks run every second, so readiness reaches Prometheus within a scrape or two.
        var fast = new Dictionary<string, string?> { ["Health__PublishInterval"] = "00:00:01" };
        Redis = await RedisServer.StartProcessAsync();
        Api = await ServiceProcess.StartApiAsync(Redis.ConnectionString, Settings.Layer(fast, new Dictionary<string, string?>
        {
            ["RateLimits__WritesPerSecond"] = "10000",
            ["RateLimits__WriteBurst"] = "10000",
        }));
        var gateways = await Task.WhenAll(
            ServiceProcess.StartGatewayAsync(Redis.ConnectionString, Api.BaseUrl, fast),
            ServiceProcess.StartGatewayAsync(Redis.ConnectionString, Api.BaseUrl, Settings.Layer(fast, new Dictionary<string, string?>
            {
                ["Gateway__MaxConnections"] = GatewayBLimit.ToString(System.Globalization.CultureInfo.InvariantCulture),
            })));
        (GatewayA, GatewayB) = (gateways[0], gateways[1]);

        Prometheus = await PrometheusServer.StartAsync(
            new Dictionary<string, IReadOnlyList<string>>
            {
                ["workflow-api"] = [Target(Api)],
                ["realtime-gateway"] = [Target(GatewayA), Target(GatewayB)],
            },
            Interval,
            directory => MonitoringFiles.RuleFiles.Select(file =>
            {
                var copy = Path.Combine(directory, Path.GetFileName(file));
                File.WriteAllText(copy, MonitoringFiles.WithFor(File.ReadAllText(file), ShortFor));
                return copy;
            }).ToList());
    }

    /// <summary>The <c>instance</c> label Prometheus gives a service's series.</summary>
    public static string Target(ServiceProcess service) => $"127.0.0.1:{service.Port}";

    public async ValueTask DisposeAsync()
    {
        // Prometheus first, so it does not record the services going away.
        foreach (var disposable in new IAsyncDisposable?[] { Prometheus, GatewayA, GatewayB, Api, Redis })
        {
            if (disposable is not null)
            {
                await disposable.DisposeAsync();
            }
        }
    }
}
