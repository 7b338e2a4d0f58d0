using Vapora.Testing;

namespace Vapora.RealtimeGateway.Tests;

/// <summary>A three-node Redis Cluster, and an API and a gateway in sharded mode on it.</summary>
public sealed class ClusterFixture : ISystemFixture, IAsyncLifetime
{
    public static readonly IReadOnlyDictionary<string, string?> Sharded = new Dictionary<string, string?>
    {
        ["Redis__PubSub"] = "sharded",
        ["Publishing__OutboxPollInterval"] = "00:00:00.250",
        ["Publishing__OutboxGrace"] = "00:00:01",
        ["Gateway__UnsubscribeGracePeriod"] = "00:00:00",
    };

    public RedisCluster Cluster { get; private set; } = null!;

    public ServiceProcess Api { get; private set; } = null!;

    public ServiceProcess Gateway { get; private set; } = null!;

    public WorkflowApiClient Client => new(Api.Http);

    public async ValueTask InitializeAsync()
    {
        Cluster = await RedisCluster.StartAsync();
        Api = await ServiceProcess.StartApiAsync(Cluster.ConnectionString, Sharded);
        Gateway = await StartGatewayAsync();
    }

    public Task<ServiceProcess> StartGatewayAsync(IReadOnlyDictionary<string, string?>? settings = null) =>
        ServiceProcess.StartGatewayAsync(Cluster.ConnectionString, Api.BaseUrl, Settings.Layer(Sharded, settings));

    public async ValueTask DisposeAsync()
    {
        await Gateway.DisposeAsync();
        await Api.DisposeAsync();
        await Cluster.DisposeAsync();
    }
}
