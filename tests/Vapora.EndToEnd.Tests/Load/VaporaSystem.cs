using Vapora.Testing;

namespace Vapora.EndToEnd.Tests.Load;

/// <summary>How the system's Redis is set up.</summary>
public enum Backplane
{
    /// <summary>One redis-server, PUBLISH/SUBSCRIBE.</summary>
    Classic,

    /// <summary>A three-node Redis Cluster, SPUBLISH/SSUBSCRIBE (<c>Redis__PubSub=sharded</c>).</summary>
    Sharded,

    /// <summary>A primary, a replica and three Sentinels, PUBLISH/SUBSCRIBE, with the ACL users of deploy/redis/users.acl.</summary>
    Sentinel,

    /// <summary>Three primaries with a replica each, SPUBLISH/SSUBSCRIBE, with the ACL users of deploy/redis/users.acl.</summary>
    ShardedWithReplicas,
}

/// <summary>
/// The whole system as real processes on loopback: redis-server (or a Redis Cluster, or Sentinel with a primary and a
/// replica), workflow-api, gateways (three unless told), nginx round-robin.
/// </summary>
internal sealed class VaporaSystem : IAsyncDisposable
{
    private VaporaSystem(RedisServer? redis, RedisCluster? cluster, RedisSentinelSet? sentinel, ServiceProcess api, List<ServiceProcess> gateways, NginxServer nginx)
    {
        Redis = redis;
        Cluster = cluster;
        Sentinel = sentinel;
        Api = api;
        Gateways = gateways;
        Nginx = nginx;
        Balancer = new HttpClient { BaseAddress = nginx.BaseUrl, Timeout = TimeSpan.FromSeconds(10) };
    }

    /// <summary>The single Redis (classic backplane).</summary>
    public RedisServer? Redis { get; }

    /// <summary>The Redis Cluster (sharded backplanes).</summary>
    public RedisCluster? Cluster { get; }

    /// <summary>Sentinel and its data nodes (Sentinel backplane).</summary>
    public RedisSentinelSet? Sentinel { get; }

    public ServiceProcess Api { get; }

    public IReadOnlyList<ServiceProcess> Gateways { get; }

    public NginxServer Nginx { get; }

    /// <summary>REST through the load balancer, as producers use it.</summary>
    public HttpClient Balancer { get; }

    public static async Task<VaporaSystem> StartAsync(IReadOnlyDictionary<string, string?>? apiSettings = null, int gateways = 3,
        IReadOnlyDictionary<string, string?>? gatewaySettings = null, Backplane backplane = Backplane.Classic)
    {
        var sharded = backplane is Backplane.Sharded or Backplane.ShardedWithReplicas;
        var acl = backplane is Backplane.Sentinel or Backplane.ShardedWithReplicas;
        var redis = backplane == Backplane.Classic ? await RedisServer.StartProcessAsync() : null;
        var cluster = sharded ? await RedisCluster.StartAsync(replicasPerMaster: backplane == Backplane.ShardedWithReplicas ? 1 : 0, acl: acl) : null;
        var sentinel = backplane == Backplane.Sentinel ? await RedisSentinelSet.StartAsync() : null;
        var connectionString = redis?.ConnectionString ?? cluster?.ConnectionString ?? sentinel!.ConnectionString;
        var pubSub = sharded ? "sharded" : "classic";
        // One load generator posts for every producer from one address: lift the per-client write limit.
        var settings = Settings.Layer(new Dictionary<string, string?>
        {
            ["RateLimits__WritesPerSecond"] = "1000000",
            ["RateLimits__WriteBurst"] = "1000000",
            ["Redis__PubSub"] = pubSub,
        }, acl ? RedisAcl.ServiceSettings(RedisAcl.ApiUser) : null, apiSettings);
        var api = await ServiceProcess.StartApiAsync(connectionString, settings);
        var gatewayConfiguration = Settings.Layer(new Dictionary<string, string?>
        {
            ["Redis__PubSub"] = pubSub,
            ["Gateway__DrainWindow"] = "00:00:01",
            ["Gateway__CloseTimeout"] = "00:00:02",
        }, acl ? RedisAcl.ServiceSettings(RedisAcl.GatewayUser) : null, gatewaySettings);

        var started = await Task.WhenAll(Enumerable.Range(0, gateways).Select(_ => ServiceProcess.StartGatewayAsync(connectionString, api.BaseUrl, gatewayConfiguration)));
        var nginx = await NginxServer.StartAsync(started.Select(g => g.Port), api.Port);
        return new VaporaSystem(redis, cluster, sentinel, api, [.. started], nginx);
    }

    /// <summary>
    /// kill -9 the Redis that carries <paramref name="workflowId"/>'s channel and start it again: the one Redis, or the
    /// cluster node that owns the channel's slot.
    /// </summary>
    public async Task RestartRedisCarryingAsync(string workflowId)
    {
        if (Cluster is null)
        {
            await Redis!.KillAsync();
            await Redis.StartProcessAgainAsync();
            return;
        }

        var owner = await Cluster.OwnerOfAsync(Contracts.WorkflowChannels.NameFor(workflowId));
        await Cluster.KillNodeAsync(owner);
        await Cluster.RestartNodeAsync(owner);
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
        if (Redis is not null)
        {
            await Redis.DisposeAsync();
        }

        if (Cluster is not null)
        {
            await Cluster.DisposeAsync();
        }

        if (Sentinel is not null)
        {
            await Sentinel.DisposeAsync();
        }
    }
}
