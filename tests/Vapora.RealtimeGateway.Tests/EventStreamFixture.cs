using Vapora.Testing;

namespace Vapora.RealtimeGateway.Tests;

/// <summary>
/// Redis, workflow-api and two gateways behind the shipped nginx routes, for the Server-Sent Events tests. Heartbeats
/// every second so that a test can wait for them; tests that need other settings start a gateway of their own.
/// </summary>
public sealed class EventStreamFixture(RedisFixture redis) : IAsyncLifetime
{
    public static readonly IReadOnlyDictionary<string, string?> GatewaySettings = Settings.Layer(GatewayFixture.TestGatewaySettings,
        new Dictionary<string, string?> { ["Gateway__EventStreamHeartbeatInterval"] = "00:00:01" });

    public RedisServer Redis => redis.Server;

    public ServiceProcess Api { get; private set; } = null!;

    public List<ServiceProcess> Gateways { get; } = [];

    public NginxServer Nginx { get; private set; } = null!;

    public WorkflowApiClient Client => new(Api.Http);

    public async ValueTask InitializeAsync()
    {
        Api = await ServiceProcess.StartApiAsync(redis.Server.ConnectionString, new Dictionary<string, string?>
        {
            // The slow-consumer test writes fast.
            ["RateLimits__WritesPerSecond"] = "100000",
            ["RateLimits__WriteBurst"] = "100000",
        });
        for (var i = 0; i < 2; i++)
        {
            Gateways.Add(await StartGatewayAsync());
        }

        Nginx = await NginxServer.StartAsync(Gateways.Select(g => g.Port), Api.Port);
    }

    /// <summary>A gateway on the same Redis and API (not behind nginx).</summary>
    public Task<ServiceProcess> StartGatewayAsync(IReadOnlyDictionary<string, string?>? settings = null) =>
        ServiceProcess.StartGatewayAsync(redis.Server.ConnectionString, Api.BaseUrl, Settings.Layer(GatewaySettings, settings));

    /// <summary>The one gateway behind nginx holding exactly <paramref name="streams"/> event streams while the other holds none.</summary>
    public async Task<ServiceProcess?> ServingGatewayAsync(int streams = 1) =>
        await ServingGateway.FindAsync(Gateways, m => m.Value("vapora_gateway_connections_by_transport", "transport=\"sse\""), streams,
            $"one gateway to hold the {streams} event stream(s) and the other none");

    public async ValueTask DisposeAsync()
    {
        await Nginx.DisposeAsync();
        foreach (var gateway in Gateways)
        {
            await gateway.DisposeAsync();
        }

        await Api.DisposeAsync();
    }
}
