using System.Globalization;
using System.Net;
using StackExchange.Redis;

namespace Vapora.Testing;

/// <summary>
/// A Redis primary, one replica and three redis-sentinel processes on free loopback ports, as production runs
/// Sentinel: the data nodes load <c>deploy/redis/users.acl</c> (the replica and Sentinel log in with the users made
/// for them), Sentinel watches the primary as <see cref="ServiceName"/> with a quorum of two and short timeouts
/// (down after 1 s) so that a failover takes a second or two.
/// </summary>
public sealed class RedisSentinelSet : IAsyncDisposable
{
    public const string ServiceName = "vapora";

    private readonly string _directory;
    private readonly List<ManagedProcess> _sentinels = [];
    private ConnectionMultiplexer? _sentinelClient;

    private RedisSentinelSet(string directory, RedisServer primary, RedisServer replica, int[] sentinelPorts)
    {
        _directory = directory;
        Nodes = [primary, replica];
        SentinelPorts = sentinelPorts;
    }

    /// <summary>The data nodes: the first primary, then its replica (roles change with failovers).</summary>
    public IReadOnlyList<RedisServer> Nodes { get; }

    public IReadOnlyList<int> SentinelPorts { get; }

    /// <summary>StackExchange.Redis's Sentinel form: every Sentinel plus the service name.</summary>
    public string ConnectionString => ConnectionStringFor(SentinelPorts);

    /// <summary>The Sentinel form for Sentinels on <paramref name="sentinelPorts"/>.</summary>
    public static string ConnectionStringFor(IEnumerable<int> sentinelPorts) =>
        string.Join(',', sentinelPorts.Select(p => $"127.0.0.1:{p}")) + $",serviceName={ServiceName}";

    /// <param name="replicaPriority">Sentinel's promotion priority of the replica; 0 means it is never promoted.</param>
    /// <param name="sentinelPorts">Ports for the three Sentinels, when a test must know them before they start.</param>
    public static async Task<RedisSentinelSet> StartAsync(int replicaPriority = 100, IReadOnlyList<int>? sentinelPorts = null)
    {
        var primary = await RedisServer.StartWithAclAsync();
        var replica = await RedisServer.StartWithAclAsync(
            ["--replicaof", "127.0.0.1", Text(primary.Port), "--replica-priority", Text(replicaPriority)]);
        var set = new RedisSentinelSet(Directory.CreateTempSubdirectory("vapora-sentinel-").FullName, primary, replica,
            [.. sentinelPorts ?? [TestPorts.GetFree(), TestPorts.GetFree(), TestPorts.GetFree()]]);
        try
        {
            foreach (var port in set.SentinelPorts)
            {
                set._sentinels.Add(set.StartSentinel(port, primary.Port));
            }

            await set.WaitUntilReadyAsync();
        }
        catch
        {
            await set.DisposeAsync();
            throw;
        }

        return set;
    }

    /// <summary>The data node Sentinel currently names as primary.</summary>
    public async Task<RedisServer> PrimaryAsync()
    {
        var port = await PrimaryPortAsync();
        return Nodes.Single(n => n.Port == port);
    }

    /// <summary>
    /// Waits until Sentinel names a primary other than <paramref name="formerPort"/> and that node says it is a primary.
    /// </summary>
    public async Task<RedisServer> WaitForPromotionAsync(int formerPort, TimeSpan timeout)
    {
        RedisServer? promoted = null;
        await Poll.UntilAsync(async () =>
        {
            var port = await PrimaryPortAsync();
            if (port == formerPort)
            {
                return false;
            }

            var node = Nodes.Single(n => n.Port == port);
            var role = (RedisResult[])(await (await node.AdminAsync()).GetDatabase().ExecuteAsync("ROLE"))!;
            promoted = node;
            return (string?)role[0] == "master";
        }, timeout, $"Sentinel to promote a replica in place of 127.0.0.1:{formerPort}");
        return promoted!;
    }

    public async ValueTask DisposeAsync()
    {
        _sentinelClient?.Dispose();
        foreach (var sentinel in _sentinels)
        {
            await sentinel.DisposeAsync();
        }

        foreach (var node in Nodes)
        {
            await node.DisposeAsync();
        }

        Directory.Delete(_directory, recursive: true);
    }

    private async Task<int> PrimaryPortAsync()
    {
        var client = _sentinelClient ??= await ConnectionMultiplexer.SentinelConnectAsync(
            string.Join(',', SentinelPorts.Select(p => $"127.0.0.1:{p}")) + ",abortConnect=false,connectTimeout=1000");
        foreach (var port in SentinelPorts)
        {
            try
            {
                if (client.GetServer("127.0.0.1", port).SentinelGetMasterAddressByName(ServiceName) is IPEndPoint primary)
                {
                    return primary.Port;
                }
            }
            catch (RedisException)
            {
                // Try the next Sentinel.
            }
        }

        throw new InvalidOperationException("No Sentinel answered with the primary's address.");
    }

    private ManagedProcess StartSentinel(int port, int primaryPort)
    {
        // Sentinel rewrites its configuration file (it records what it learns), so each one gets its own.
        var directory = Directory.CreateDirectory(Path.Combine(_directory, Text(port))).FullName;
        var config = Path.Combine(directory, "sentinel.conf");
        File.WriteAllText(config, $"""
            port {port}
            bind 127.0.0.1
            dir {directory}
            sentinel monitor {ServiceName} 127.0.0.1 {primaryPort} 2
            sentinel auth-user {ServiceName} {RedisAcl.SentinelUser}
            sentinel auth-pass {ServiceName} {RedisAcl.PasswordOf(RedisAcl.SentinelUser)}
            sentinel down-after-milliseconds {ServiceName} 1000
            sentinel failover-timeout {ServiceName} 3000
            sentinel parallel-syncs {ServiceName} 1

            """);
        return ManagedProcess.Start($"sentinel-{port}", "redis-sentinel", [config]);
    }

    /// <summary>Every Sentinel sees the others and the replica, and the replica is in sync with the primary.</summary>
    private async Task WaitUntilReadyAsync()
    {
        await Poll.UntilAsync(async () =>
        {
            foreach (var sentinel in _sentinels.Where(s => s.HasExited))
            {
                throw new PollFailedException($"{sentinel.Name} exited: {sentinel.Tail()}");
            }

            var replication = (string?)await (await Nodes[1].AdminAsync()).GetDatabase().ExecuteAsync("INFO", "replication");
            if (replication is null || !replication.Contains("master_link_status:up", StringComparison.Ordinal))
            {
                return false;
            }

            await using var client = await ConnectionMultiplexer.SentinelConnectAsync(
                string.Join(',', SentinelPorts.Select(p => $"127.0.0.1:{p}")) + ",abortConnect=false,connectTimeout=1000");
            foreach (var port in SentinelPorts)
            {
                var server = client.GetServer("127.0.0.1", port);
                var quorum = (string?)await server.ExecuteAsync("SENTINEL", "CKQUORUM", ServiceName);
                if (quorum is null || !quorum.StartsWith("OK 3 usable", StringComparison.Ordinal)
                    || server.SentinelGetReplicaAddresses(ServiceName).Length != 1)
                {
                    return false;
                }
            }

            return true;
        }, TimeSpan.FromSeconds(60), "the Sentinels to see each other, the primary and its replica in sync");
    }

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
