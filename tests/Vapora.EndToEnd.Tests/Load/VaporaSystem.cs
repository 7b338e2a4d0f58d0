using Vapora.Testing;

namespace Vapora.EndToEnd.Tests.Load;

/// <summary>The whole system as real processes on loopback: redis-server, workflow-api, three gateways, nginx round-robin.</summary>
internal sealed class VaporaSystem : IAsyncDisposable
{
    private VaporaSystem(RedisServer redis, ServiceProcess api, List<ServiceProcess> gateways, NginxServer nginx)
    {
        Redis = redis;
        Api = api;
        Gateways = gateways;
        Nginx = nginx;
        Balancer = new HttpClient { BaseAddress = nginx.BaseUrl, Timeout = TimeSpan.FromSeconds(10) };
    }

    public RedisServer Redis { get; }

    public ServiceProcess Api { get; }

    public IReadOnlyList<ServiceProcess> Gateways { get; }

    public NginxServer Nginx { get; }

    /// <summary>REST through the load balancer, as producers use it.</summary>
    public HttpClient Balancer { get; }

    public static async Task<VaporaSystem> StartAsync(IReadOnlyDictionary<string, string?>? apiSettings = null, int gateways = 3,
        IReadOnlyDictionary<string, string?>? gatewaySettings = null)
    {
        var redis = await RedisServer.StartProcessAsync();
        // One load generator posts for every producer from one address: lift the per-client write limit.
        var settings = new Dictionary<string, string?> { ["RateLimits__WritesPerSecond"] = "1000000", ["RateLimits__WriteBurst"] = "1000000" };
        foreach (var (key, value) in apiSettings ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        var api = await ServiceProcess.StartApiAsync(redis.ConnectionString, settings);
        var gatewayConfiguration = new Dictionary<string, string?>
        {
            ["Gateway__DrainWindow"] = "00:00:01",
            ["Gateway__CloseTimeout"] = "00:00:02",
        };
        foreach (var (key, value) in gatewaySettings ?? new Dictionary<string, string?>())
        {
            gatewayConfiguration[key] = value;
        }

        var started = await Task.WhenAll(Enumerable.Range(0, gateways).Select(_ => ServiceProcess.StartGatewayAsync(redis.ConnectionString, api.BaseUrl, gatewayConfiguration)));
        var nginx = await NginxServer.StartAsync(started.Select(g => g.Port), api.Port);
        return new VaporaSystem(redis, api, [.. started], nginx);
    }

    public async ValueTask DisposeAsync()
    {
        Balancer.Dispose();
        await Nginx.DisposeAsync();
        foreach (var gateway in Gateways)
        {
            await gateway.DisposeAsync();
        }

        await Api.DisposeAsync();
        await Redis.DisposeAsync();
    }
}
