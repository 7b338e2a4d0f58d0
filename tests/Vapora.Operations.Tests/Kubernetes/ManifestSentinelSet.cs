using System.Globalization;
using System.Text;
using Vapora.Testing;

namespace Vapora.Operations.Tests.Kubernetes;

/// <summary>
/// The redis-sentinel overlay run as real processes: three data nodes and three Sentinels started by the overlay's own
/// scripts with the arguments and environment of its StatefulSets. Each pod is a loopback address of its own
/// (127.78.&lt;run&gt;.&lt;n&gt;) with the pod's port (6379 for data nodes, as the scripts assume); the pods' DNS names
/// resolve to them inside a private mount namespace whose /etc/hosts says so (unshare, as root), where the scripts,
/// redis-server and redis-sentinel run. Sentinels get ports of their own, since each binds every address.
/// </summary>
internal sealed class ManifestSentinelSet : IAsyncDisposable
{
    private const string Overlay = "overlays/redis-sentinel";
    private static int _runs;
    private readonly string _directory = System.IO.Directory.CreateTempSubdirectory("vapora-k8s-sentinel-").FullName;
    private readonly int _run = 1 + (Interlocked.Increment(ref _runs) % 200);
    private readonly IReadOnlyList<string> _nodeArguments;
    private readonly int[] _sentinelPorts = [TestPorts.GetFree(), TestPorts.GetFree(), TestPorts.GetFree()];
    private readonly Dictionary<string, ManagedProcess> _processes = [];

    private ManifestSentinelSet(IReadOnlyList<string> nodeArguments) => _nodeArguments = nodeArguments;

    public static string NodeName(int i) => $"redis-node-{i}.redis-nodes";

    /// <summary>Renders the overlay and starts its data nodes, then its Sentinels, as on a first deployment.</summary>
    public static async Task<ManifestSentinelSet> StartAsync()
    {
        var objects = await Manifests.RenderAsync(Overlay);
        var node = objects.Find("StatefulSet", "redis-node").PodSpec().GetProperty("containers")[0];
        var set = new ManifestSentinelSet(node.GetProperty("args").Strings().ToList());
        await File.WriteAllTextAsync(set.HostsFile, set.Hosts());
        for (var i = 0; i < 3; i++)
        {
            await set.StartNodeAsync(i);
        }

        for (var i = 0; i < 3; i++)
        {
            await set.StartSentinelAsync(i);
        }

        return set;
    }

    public string NodeAddress(int i) => $"127.78.{_run}.{10 + i}";

    /// <summary>What a Sentinel names as the primary (a pod name), or null when it does not answer.</summary>
    public async Task<string?> PrimaryAsync(int sentinel)
    {
        var answer = await RedisCommand.RunAsync("127.0.0.1", _sentinelPorts[sentinel], login: false, "SENTINEL", "get-master-addr-by-name", "vapora");
        return string.IsNullOrEmpty(answer) ? null : answer.Split('\n')[0];
    }

    /// <summary>The Sentinel's view of its peers and the primary's replicas, as SENTINEL MASTER reports them.</summary>
    public async Task<(int OtherSentinels, int Replicas)> SentinelViewAsync(int sentinel)
    {
        var fields = (await RedisCommand.RunAsync("127.0.0.1", _sentinelPorts[sentinel], login: false, "SENTINEL", "master", "vapora") ?? string.Empty).Split('\n');
        int Field(string name) => Array.IndexOf(fields, name) is var at and >= 0 ? int.Parse(fields[at + 1], CultureInfo.InvariantCulture) : -1;
        return (Field("num-other-sentinels"), Field("num-slaves"));
    }

    /// <summary>The data node's ROLE reply, one element a line (master / slave, then details).</summary>
    public Task<string?> RoleAsync(int node) => RedisCommand.RunAsync(NodeAddress(node), 6379, login: true, "ROLE");

    /// <summary>INFO replication of a data node.</summary>
    public Task<string?> ReplicationAsync(int node) => RedisCommand.RunAsync(NodeAddress(node), 6379, login: true, "INFO", "replication");

    public async Task KillNodeAsync(int i) => await KillAsync($"node-{i}");

    public async Task KillSentinelAsync(int i) => await KillAsync($"sentinel-{i}");

    /// <summary>Starts data node <paramref name="i"/> as its container does: the script decides its role.</summary>
    public async Task StartNodeAsync(int i)
    {
        var directory = System.IO.Directory.CreateDirectory(Path.Combine(_directory, $"node-{i}")).FullName;
        var arguments = _nodeArguments.Select(a => a == "/etc/redis/acl/users.acl" ? RedisAcl.FilePath : a)
            .Concat(["--bind", NodeAddress(i), "--dir", directory]);
        _processes[$"node-{i}"] = Start($"redis-node-{i}", "redis-node.sh", arguments, new Dictionary<string, string?>
        {
            ["POD_NAME"] = $"redis-node-{i}",
            ["SENTINELS"] = SentinelList,
            ["REPLICATION_PASSWORD"] = RedisAcl.PasswordOf(RedisAcl.ReplicationUser),
        });
        await Poll.UntilAsync(async () => await RedisCommand.RunAsync(NodeAddress(i), 6379, login: true, "PING") == "PONG",
            TimeSpan.FromSeconds(20), $"redis-node-{i} to answer");
    }

    /// <summary>Starts Sentinel <paramref name="i"/> as its container does: the script writes a fresh configuration.</summary>
    public async Task StartSentinelAsync(int i)
    {
        _processes[$"sentinel-{i}"] = Start($"redis-sentinel-{i}", "sentinel.sh", [], new Dictionary<string, string?>
        {
            ["POD_NAME"] = $"redis-sentinel-{i}",
            ["SENTINELS"] = SentinelList,
            ["NODES"] = string.Join(' ', Enumerable.Range(0, 3).Select(n => $"{NodeName(n)}:6379")),
            ["SENTINEL_PASSWORD"] = RedisAcl.PasswordOf(RedisAcl.SentinelUser),
            ["SENTINEL_CONFIG"] = Path.Combine(_directory, $"sentinel-{i}.conf"),
            ["SENTINEL_PORT"] = _sentinelPorts[i].ToString(CultureInfo.InvariantCulture),
        });
        await Poll.UntilAsync(async () => await RedisCommand.RunAsync("127.0.0.1", _sentinelPorts[i], login: false, "PING") == "PONG",
            TimeSpan.FromSeconds(20), $"redis-sentinel-{i} to answer");
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _processes.Values)
        {
            await process.DisposeAsync();
        }

        System.IO.Directory.Delete(_directory, recursive: true);
    }

    private string SentinelList => string.Join(' ', Enumerable.Range(0, 3).Select(s => $"redis-sentinel-{s}.redis-sentinel:{_sentinelPorts[s]}"));

    private string HostsFile => Path.Combine(_directory, "hosts");

    // The cluster's DNS: data nodes at their own addresses; Sentinels at 127.0.0.1 with ports of their own.
    private string Hosts()
    {
        var hosts = new StringBuilder("127.0.0.1 localhost\n");
        for (var i = 0; i < 3; i++)
        {
            hosts.Append(CultureInfo.InvariantCulture, $"{NodeAddress(i)} {NodeName(i)}\n127.0.0.1 redis-sentinel-{i}.redis-sentinel\n");
        }

        return hosts.ToString();
    }

    private async Task KillAsync(string key)
    {
        var process = _processes[key];
        process.Kill();
        await process.WaitForExitAsync(TimeSpan.FromSeconds(10));
        await process.DisposeAsync();
        _processes.Remove(key);
    }

    private ManagedProcess Start(string name, string script, IEnumerable<string> arguments, IReadOnlyDictionary<string, string?> environment) =>
        ManagedProcess.Start(name, "unshare",
        [
            "--mount", "sh", "-c", "mount --bind \"$0\" /etc/hosts && exec sh \"$@\"", HostsFile,
            Path.Combine(Manifests.Directory, Overlay, "scripts", script), .. arguments,
        ], environment);
}
