using System.Globalization;
using StackExchange.Redis;

namespace Vapora.Testing;

/// <summary>
/// A real Redis Cluster of redis-server processes on free loopback ports (three primaries, optionally a replica
/// each, as the Kubernetes overlay runs it), made with <c>redis-cli --cluster create</c>. Nodes can be killed and
/// restarted (they keep their node id and slots in their nodes.conf), as a failed and recovered node would; with
/// replicas, a killed primary's replica takes over after the node timeout (2 s). With <c>acl</c> the nodes load
/// <c>deploy/redis/users.acl</c> and the fixture logs in as its admin user.
/// </summary>
public sealed class RedisCluster : IAsyncDisposable
{
    private readonly string _directory;
    private readonly Dictionary<int, ManagedProcess> _nodes = [];
    private readonly bool _acl;
    private ConnectionMultiplexer? _admin;

    private RedisCluster(string directory, int[] ports, bool acl)
    {
        _directory = directory;
        Ports = ports;
        _acl = acl;
    }

    public IReadOnlyList<int> Ports { get; }

    /// <summary>Process ids of the running nodes, by port.</summary>
    public IReadOnlyDictionary<int, int> NodePids => _nodes.ToDictionary(n => n.Key, n => n.Value.Pid);

    /// <summary>Every node, for a StackExchange.Redis configuration string.</summary>
    public string ConnectionString => string.Join(',', Ports.Select(p => $"127.0.0.1:{p}"));

    public static async Task<RedisCluster> StartAsync(int masters = 3, int replicasPerMaster = 0, bool acl = false)
    {
        var cluster = new RedisCluster(Directory.CreateTempSubdirectory("vapora-cluster-").FullName,
            Enumerable.Range(0, masters * (1 + replicasPerMaster)).Select(_ => TestPorts.GetFreeClusterPort()).ToArray(), acl);
        foreach (var port in cluster.Ports)
        {
            await cluster.StartNodeAsync(port);
        }

        string[] login = acl ? ["--user", RedisAcl.AdminUser, "--pass", RedisAcl.PasswordOf(RedisAcl.AdminUser), "--no-auth-warning"] : [];
        var create = ManagedProcess.Start("redis-cli-cluster-create", "redis-cli",
        [
            .. login, "--cluster", "create", .. cluster.Ports.Select(p => $"127.0.0.1:{p}"),
            "--cluster-replicas", replicasPerMaster.ToString(CultureInfo.InvariantCulture), "--cluster-yes",
        ]);
        if (!await create.WaitForExitAsync(TimeSpan.FromSeconds(60)))
        {
            throw new InvalidOperationException("redis-cli --cluster create did not finish: " + create.Tail());
        }

        await create.DisposeAsync();
        await cluster.WaitUntilHealthyAsync();
        return cluster;
    }

    /// <summary>The port of the master that owns <paramref name="key"/>'s slot (a channel name's hash tag counts).</summary>
    public async Task<int> OwnerOfAsync(string key)
    {
        var admin = await AdminAsync();
        var slot = admin.HashSlot(key);
        foreach (var port in Ports.Where(p => _nodes.ContainsKey(p)))
        {
            var server = admin.GetServer("127.0.0.1", port);
            var result = (RedisResult[])(await server.ExecuteAsync("CLUSTER", "SLOTS"))!;
            foreach (var range in result)
            {
                var parts = (RedisResult[])range!;
                if ((long)parts[0] <= slot && slot <= (long)parts[1])
                {
                    return (int)(long)((RedisResult[])parts[2]!)[1];
                }
            }
        }

        throw new InvalidOperationException($"No node owns slot {slot}.");
    }

    /// <summary>
    /// Moves <paramref name="key"/>'s slot to the node on <paramref name="toPort"/> the way <c>redis-cli --cluster reshard</c>
    /// does (IMPORTING, MIGRATING, then NODE everywhere); the old owner then tells its shard-channel subscribers to leave.
    /// </summary>
    public async Task MigrateSlotAsync(string key, int toPort)
    {
        var admin = await AdminAsync();
        var slot = admin.HashSlot(key);
        var fromPort = await OwnerOfAsync(key);
        var source = admin.GetServer("127.0.0.1", fromPort);
        var target = admin.GetServer("127.0.0.1", toPort);
        var sourceId = (string)(await source.ExecuteAsync("CLUSTER", "MYID"))!;
        var targetId = (string)(await target.ExecuteAsync("CLUSTER", "MYID"))!;
        await target.ExecuteAsync("CLUSTER", "SETSLOT", slot, "IMPORTING", sourceId);
        await source.ExecuteAsync("CLUSTER", "SETSLOT", slot, "MIGRATING", targetId);
        var keys = (RedisResult[])(await source.ExecuteAsync("CLUSTER", "GETKEYSINSLOT", slot, 10))!;
        if (keys.Length > 0)
        {
            throw new InvalidOperationException($"Slot {slot} holds keys; this helper moves empty slots only.");
        }

        await target.ExecuteAsync("CLUSTER", "SETSLOT", slot, "NODE", targetId);
        await source.ExecuteAsync("CLUSTER", "SETSLOT", slot, "NODE", targetId);
        foreach (var port in Ports.Where(p => p != fromPort && p != toPort && _nodes.ContainsKey(p)))
        {
            await admin.GetServer("127.0.0.1", port).ExecuteAsync("CLUSTER", "SETSLOT", slot, "NODE", targetId);
        }

        await Poll.UntilAsync(async () => await OwnerOfAsync(key) == toPort, TimeSpan.FromSeconds(20), $"slot {slot} to be owned by {toPort}");
    }

    /// <summary>
    /// Waits until a node other than <paramref name="formerPort"/> owns <paramref name="key"/>'s slot (a replica took
    /// over) and says it is a primary; returns its port.
    /// </summary>
    public async Task<int> WaitForFailoverAsync(string key, int formerPort, TimeSpan timeout)
    {
        var owner = formerPort;
        await Poll.UntilAsync(async () =>
        {
            owner = await OwnerOfAsync(key);
            if (owner == formerPort)
            {
                return false;
            }

            var role = (RedisResult[])(await (await AdminAsync()).GetServer("127.0.0.1", owner).ExecuteAsync("ROLE"))!;
            return (string?)role[0] == "master";
        }, timeout, $"a replica to take over the slot of {key} from 127.0.0.1:{formerPort}");
        return owner;
    }

    /// <summary>kill -9 one node.</summary>
    public async Task KillNodeAsync(int port)
    {
        var node = _nodes[port];
        node.Kill();
        await node.WaitForExitAsync(TimeSpan.FromSeconds(10));
        await node.DisposeAsync();
        _nodes.Remove(port);
    }

    /// <summary>Starts a killed node again; it rejoins with its slots, and the cluster turns healthy.</summary>
    public async Task RestartNodeAsync(int port)
    {
        await StartNodeAsync(port);
        await WaitUntilHealthyAsync();
    }

    /// <summary>Number of shard-channel subscribers of <paramref name="channel"/> on its node (PUBSUB SHARDNUMSUB).</summary>
    public async Task<long> ShardSubscriberCountAsync(string channel)
    {
        var admin = await AdminAsync();
        var port = await OwnerOfAsync(channel);
        var result = (RedisResult[])(await admin.GetServer("127.0.0.1", port).ExecuteAsync("PUBSUB", "SHARDNUMSUB", channel))!;
        return (long)result[1];
    }

    public async Task<IConnectionMultiplexer> AdminAsync() =>
        _admin ??= await ConnectionMultiplexer.ConnectAsync(ConnectionString + ",abortConnect=false,allowAdmin=true" + Login);

    /// <summary>Connection-string settings of the fixture's own connections (the admin user with <c>acl</c>).</summary>
    private string Login => _acl ? RedisAcl.Credentials(RedisAcl.AdminUser) : string.Empty;

    public async ValueTask DisposeAsync()
    {
        _admin?.Dispose();
        foreach (var node in _nodes.Values)
        {
            await node.DisposeAsync();
        }

        Directory.Delete(_directory, recursive: true);
    }

    private async Task StartNodeAsync(int port)
    {
        var portText = port.ToString(CultureInfo.InvariantCulture);
        var directory = Directory.CreateDirectory(Path.Combine(_directory, portText)).FullName;
        var node = ManagedProcess.Start($"redis-cluster-{port}", "redis-server",
        [
            "--port", portText, "--bind", "127.0.0.1", "--protected-mode", "no", "--dir", directory,
            "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "2000",
            "--cluster-require-full-coverage", "no", "--save", "", "--appendonly", "no",
            .. _acl ? RedisAcl.ServerArguments() : [],
        ]);
        _nodes[port] = node;
        await Poll.UntilAsync(async () =>
        {
            if (node.HasExited)
            {
                throw new PollFailedException($"redis-server {port} exited: " + node.Tail());
            }

            await using var probe = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{port},abortConnect=false,connectTimeout=500" + Login);
            return probe.IsConnected;
        }, TimeSpan.FromSeconds(20), $"cluster node {port} to accept connections");
    }

    private async Task WaitUntilHealthyAsync() =>
        await Poll.UntilAsync(async () =>
        {
            foreach (var port in _nodes.Keys)
            {
                await using var node = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{port},abortConnect=false,connectTimeout=500,allowAdmin=true" + Login);
                var server = node.GetServer("127.0.0.1", port);
                var info = (string)(await server.ExecuteAsync("CLUSTER", "INFO"))!;
                if (!info.Contains("cluster_state:ok", StringComparison.Ordinal) || !info.Contains("cluster_slots_ok:16384", StringComparison.Ordinal))
                {
                    return false;
                }

                // A replica that is not in sync could not take over.
                var replication = (string)(await server.ExecuteAsync("INFO", "replication"))!;
                if (replication.Contains("role:slave", StringComparison.Ordinal) && !replication.Contains("master_link_status:up", StringComparison.Ordinal))
                {
                    return false;
                }
            }

            return true;
        }, TimeSpan.FromSeconds(60), "every running cluster node to report cluster_state:ok with all slots, and every replica in sync");
}
