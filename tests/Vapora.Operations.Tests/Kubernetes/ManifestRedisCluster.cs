using System.Globalization;
using System.Text;
using System.Text.Json;
using Vapora.Testing;

namespace Vapora.Operations.Tests.Kubernetes;

/// <summary>
/// The Redis Cluster of the redis-cluster overlay, run as real redis-server processes with the arguments of its shard
/// StatefulSets and its own scripts (the create Job's and the cluster-meet container's). Each pod is a process with a
/// fixed port; its "pod IP" is a loopback address of the current generation (127.77.&lt;generation&gt;.&lt;n&gt;), which
/// <see cref="RestartEveryNodeAsync"/> changes, as a rescheduled pod's IP changes. The pods' DNS names resolve to the
/// current addresses inside a private mount namespace whose /etc/hosts says so (unshare, as root): the scripts run
/// there unchanged. Clients reach every node at 127.0.0.1 and its port, a stable address as a Service name is.
/// </summary>
internal sealed class ManifestRedisCluster : IAsyncDisposable
{
    private const string Overlay = "overlays/redis-cluster";
    private readonly string _directory = System.IO.Directory.CreateTempSubdirectory("vapora-k8s-cluster-").FullName;
    private readonly List<Node> _nodes;
    private readonly IReadOnlyList<string> _serverArguments;
    private readonly string _shards;
    private readonly Dictionary<string, ManagedProcess> _processes = [];
    private readonly List<ManagedProcess> _meetLoops = [];
    private int _generation = 1;

    private ManifestRedisCluster(IReadOnlyList<string> serverArguments, string shards, List<Node> nodes)
    {
        _serverArguments = serverArguments;
        _shards = shards;
        _nodes = nodes;
    }

    /// <summary>Seeds for StackExchange.Redis: every node at its stable address.</summary>
    public string ConnectionString => string.Join(',', _nodes.Select(n => $"127.0.0.1:{n.Port}"));

    /// <summary>Renders the overlay, starts its six pods and runs its create Job's script.</summary>
    public static async Task<ManifestRedisCluster> StartAsync()
    {
        var objects = await Manifests.RenderAsync(Overlay);
        var shardSet = objects.Single(o => o.Kind() == "StatefulSet" && o.Name() == "redis-shard-a");
        var redis = shardSet.PodSpec().Containers().Single(c => c.GetProperty("name").GetString() == "redis");
        var job = objects.Find("Job", "redis-cluster-create").PodSpec().Containers().Single();
        var shards = job.GetProperty("env").EnumerateArray().Single(e => e.GetProperty("name").GetString() == "REDIS_CLUSTER_SHARDS")
            .GetProperty("value").GetString()!.Trim();

        // Pod names in the order of the Job's pairs (primary, replica, primary, ...), each with a port of its own.
        var names = shards.Split(' ', StringSplitOptions.RemoveEmptyEntries).SelectMany(pair => pair.Split('/'))
            .Select(node => node.Split('.')[0]).ToList();
        var nodes = names.Select((name, index) => new Node(name, index, TestPorts.GetFreeClusterPort())).ToList();
        var cluster = new ManifestRedisCluster(redis.GetProperty("args").Strings().ToList(), shards, nodes);
        await cluster.StartNodesAsync();
        await cluster.RunScriptAsync("cluster-create.sh", new Dictionary<string, string?> { ["REDIS_CLUSTER_SHARDS"] = cluster.ShardsAtTestAddresses() });
        await cluster.WaitUntilFormedAsync(TimeSpan.FromSeconds(60));
        return cluster;
    }

    /// <summary>kill -9 every node, then starts each again on a new address with its nodes.conf.</summary>
    public async Task RestartEveryNodeAsync()
    {
        foreach (var process in _processes.Values)
        {
            process.Kill();
            await process.WaitForExitAsync(TimeSpan.FromSeconds(10));
            await process.DisposeAsync();
        }

        _processes.Clear();
        _generation++;
        await StartNodesAsync();
    }

    /// <summary>The cluster-meet container of every pod, as the StatefulSets run it.</summary>
    public void StartMeetLoops()
    {
        foreach (var node in _nodes)
        {
            _meetLoops.Add(StartInNamespace($"cluster-meet-{node.Name}", "cluster-meet.sh", new Dictionary<string, string?>
            {
                ["REDIS_PORT"] = node.Port.ToString(CultureInfo.InvariantCulture),
                ["REDIS_MEET_INTERVAL"] = "1",
            }));
        }
    }

    /// <summary>
    /// True when the cluster is whole again, seen from every node: cluster_state:ok with all slots, a live link to
    /// each of the other nodes, and (on a replica) replication from its primary up. Right after a restart every node
    /// still reports ok from its nodes.conf until the node timeout passes, so the state alone proves nothing.
    /// </summary>
    public async Task<bool> IsFormedAsync()
    {
        foreach (var node in _nodes)
        {
            var info = await RedisCommand.RunAsync(node.Port, "CLUSTER", "INFO");
            var links = (await RedisCommand.RunAsync(node.Port, "CLUSTER", "NODES"))?.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            var replication = await RedisCommand.RunAsync(node.Port, "INFO", "replication");
            if (info is null || links is null || replication is null
                || !info.Contains("cluster_state:ok", StringComparison.Ordinal) || !info.Contains("cluster_slots_ok:16384", StringComparison.Ordinal)
                || links.Length != _nodes.Count || links.Any(l => !l.Contains(" connected", StringComparison.Ordinal))
                || (replication.Contains("role:slave", StringComparison.Ordinal) && !replication.Contains("master_link_status:up", StringComparison.Ordinal)))
            {
                return false;
            }
        }

        return true;
    }

    public async Task WaitUntilFormedAsync(TimeSpan timeout)
    {
        try
        {
            await Poll.UntilAsync(IsFormedAsync, timeout, "every node to report cluster_state:ok with all 16384 slots, a live link to every other node and its replication up");
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException(ex.Message + Environment.NewLine + await DescribeAsync(), ex);
        }
    }

    // What each node says of the cluster, for a failure message.
    private async Task<string> DescribeAsync()
    {
        var text = new StringBuilder();
        foreach (var node in _nodes)
        {
            text.Append(CultureInfo.InvariantCulture, $"{node.Name}:\n{await RedisCommand.RunAsync(node.Port, "CLUSTER", "NODES") ?? "no answer\n"}");
        }

        return text.ToString();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _meetLoops.Concat(_processes.Values))
        {
            await process.DisposeAsync();
        }

        System.IO.Directory.Delete(_directory, recursive: true);
    }

    private string Address(Node node) => $"127.77.{_generation}.{10 + node.Index}";

    private string ShardsAtTestAddresses()
    {
        // The Job's pairs with the test's ports instead of 6379 (the names stay: the scripts resolve them).
        var text = _shards;
        foreach (var node in _nodes)
        {
            text = text.Replace(node.Name + ".redis-cluster:6379", $"{node.Name}.redis-cluster:{node.Port}", StringComparison.Ordinal);
        }

        return text;
    }

    private async Task StartNodesAsync()
    {
        foreach (var node in _nodes)
        {
            var directory = System.IO.Directory.CreateDirectory(Path.Combine(_directory, node.Name)).FullName;
            var arguments = _serverArguments.Skip(1).Select(a => a
                .Replace("$(POD_NAME)", node.Name, StringComparison.Ordinal)
                .Replace("$(REPLICATION_PASSWORD)", RedisAcl.PasswordOf(RedisAcl.ReplicationUser), StringComparison.Ordinal)
                .Replace("/data/nodes.conf", Path.Combine(directory, "nodes.conf"), StringComparison.Ordinal)
                .Replace("/etc/redis/acl/users.acl", RedisAcl.FilePath, StringComparison.Ordinal))
                .Select(a => a == "/data" ? directory : a)
                .ToList();
            // The pod's own address and port; clients here cannot resolve pod names, so redirects name addresses.
            arguments.AddRange([
                "--port", node.Port.ToString(CultureInfo.InvariantCulture), "--bind", $"127.0.0.1 {Address(node)}",
                "--cluster-announce-ip", Address(node), "--cluster-preferred-endpoint-type", "ip", "--protected-mode", "no",
            ]);
            var process = ManagedProcess.Start($"redis-{node.Name}-gen{_generation}", "redis-server", arguments);
            _processes[node.Name] = process;
            await Poll.UntilAsync(async () =>
            {
                if (process.HasExited)
                {
                    throw new PollFailedException($"redis-server {node.Name} exited: " + process.Tail());
                }

                return await RedisCommand.RunAsync(node.Port, "PING") == "PONG";
            }, TimeSpan.FromSeconds(20), $"{node.Name} to accept connections");
        }

        // What the cluster's DNS says now: each pod's name at its current address.
        var hosts = new StringBuilder("127.0.0.1 localhost\n");
        foreach (var node in _nodes)
        {
            hosts.Append(CultureInfo.InvariantCulture, $"{Address(node)} {node.Name}.redis-cluster\n");
        }

        await File.WriteAllTextAsync(HostsFile, hosts.ToString());
    }

    private string HostsFile => Path.Combine(_directory, "hosts");

    private async Task RunScriptAsync(string script, IReadOnlyDictionary<string, string?> environment)
    {
        await using var process = StartInNamespace(script, script, environment);
        if (!await process.WaitForExitAsync(TimeSpan.FromSeconds(90)) || process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{script} did not succeed: " + process.Tail());
        }
    }

    // The script runs with /etc/hosts replaced by the cluster's names, in a mount namespace of its own (nothing else on
    // the machine sees it), and logs in as the admin user with the ACL file's password, as in the pods.
    private ManagedProcess StartInNamespace(string name, string script, IReadOnlyDictionary<string, string?> environment)
    {
        var path = Path.Combine(Manifests.Directory, Overlay, "scripts", script);
        var settings = new Dictionary<string, string?>(environment) { ["REDISCLI_AUTH"] = RedisAcl.PasswordOf(RedisAcl.AdminUser) };
        return ManagedProcess.Start(name, "unshare",
            ["--mount", "sh", "-c", "mount --bind \"$0\" /etc/hosts && exec sh \"$1\"", HostsFile, path], settings);
    }

    private sealed record Node(string Name, int Index, int Port);
}
