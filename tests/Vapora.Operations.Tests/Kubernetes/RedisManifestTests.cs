using System.Globalization;
using System.Text.Json;

namespace Vapora.Operations.Tests.Kubernetes;

/// <summary>
/// How Redis is deployed: never two single Redis behind one Service, the same memory bounds on every Redis of every
/// overlay, disruption budgets, and a cluster whose primaries and replicas cannot share a node.
/// </summary>
public sealed class RedisManifestTests
{
    private const long MaxBackplaneMessageBytes = 64 * 1024;

    [Fact]
    public async Task The_single_redis_is_a_stateful_set_of_one_with_a_budget_that_forbids_evicting_it()
    {
        var objects = await Manifests.RenderAsync("overlays/production");

        Assert.DoesNotContain(objects, o => o.Kind() == "Deployment" && o.Name() == "redis");
        var redis = objects.Find("StatefulSet", "redis");
        Assert.Equal(1, redis.GetProperty("spec").GetProperty("replicas").GetInt32());
        Assert.Equal(1, objects.Find("PodDisruptionBudget", "redis").GetProperty("spec").GetProperty("minAvailable").GetInt32());
    }

    [Fact]
    public async Task Every_redis_server_of_every_overlay_bounds_subscriber_buffers_and_client_memory_below_its_memory_limit()
    {
        var servers = new List<(string Name, IReadOnlyDictionary<string, string> Flags, long Limit)>();
        foreach (var target in new[] { "overlays/production", "overlays/redis-cluster", "overlays/redis-sentinel" })
        {
            foreach (var set in (await Manifests.RenderAsync(target)).Where(o => o.Kind() == "StatefulSet"))
            {
                var container = set.PodSpec().GetProperty("containers")[0];
                if (container.GetProperty("image").GetString()!.StartsWith("redis:", StringComparison.Ordinal) && container.TryGetProperty("args", out var args))
                {
                    var limit = Quantity(container.GetProperty("resources").GetProperty("limits").GetProperty("memory").GetString()!);
                    servers.Add(($"{target} {set.Name()}", RedisMemory.Flags(args.Strings()), limit));
                }
            }
        }

        Assert.Equal(5, servers.Count);
        foreach (var (name, flags, limit) in servers)
        {
            var maxmemory = Quantity(flags["maxmemory"]);
            var clients = Quantity(flags["maxmemory-clients"]);
            var pubsub = flags["client-output-buffer-limit"].Split(' ');
            Assert.Equal("pubsub", pubsub[0]);
            Assert.True(maxmemory <= limit * 3 / 4, $"{name}: maxmemory leaves a quarter of the limit for fragmentation");
            Assert.True(clients < maxmemory, $"{name}: clients are cut before Redis reaches maxmemory");
            Assert.True(Quantity(pubsub[1]) >= 256 * MaxBackplaneMessageBytes, $"{name}: one subscriber may hold 256 updates of the largest size");
            Assert.True(Quantity(pubsub[2]) < Quantity(pubsub[1]) && int.Parse(pubsub[3], CultureInfo.InvariantCulture) > 0, $"{name}: a soft limit below the hard one");
            Assert.Equal("noeviction", flags["maxmemory-policy"]);
            Assert.Equal(MemoryFlags(servers[0].Flags), MemoryFlags(flags));
        }
    }

    [Fact]
    public async Task Each_cluster_shard_keeps_its_primary_and_replica_on_different_nodes_and_one_pod_may_go_at_a_time()
    {
        var objects = await Manifests.RenderAsync("overlays/redis-cluster");
        var shards = objects.Where(o => o.Kind() == "StatefulSet" && o.Name().StartsWith("redis-shard-", StringComparison.Ordinal)).ToList();

        Assert.Equal(3, shards.Count);
        var shardLabels = new HashSet<string>(StringComparer.Ordinal);
        foreach (var shard in shards)
        {
            Assert.Equal(2, shard.GetProperty("spec").GetProperty("replicas").GetInt32());
            var podLabels = Labels(shard.GetProperty("spec").GetProperty("template").GetProperty("metadata").GetProperty("labels"));
            var term = Assert.Single(shard.PodSpec().GetProperty("affinity").GetProperty("podAntiAffinity")
                .GetProperty("requiredDuringSchedulingIgnoredDuringExecution").EnumerateArray());
            Assert.Equal("kubernetes.io/hostname", term.GetProperty("topologyKey").GetString());
            var selector = Labels(term.GetProperty("labelSelector").GetProperty("matchLabels"));
            // The term selects this shard's pods and no other shard's: it names the shard.
            Assert.All(selector, l => Assert.Equal(l.Value, podLabels[l.Key]));
            Assert.True(shardLabels.Add(selector["vapora.io/redis-shard"]), "two shards share a label");
            Assert.Contains(shard.PodSpec().GetProperty("containers").EnumerateArray(), c => c.GetProperty("name").GetString() == "cluster-meet");
        }

        // The create Job pairs pod -0 with pod -1 of the same shard.
        var pairs = objects.Find("Job", "redis-cluster-create").PodSpec().GetProperty("containers")[0].GetProperty("env").EnumerateArray()
            .Single(e => e.GetProperty("name").GetString() == "REDIS_CLUSTER_SHARDS").GetProperty("value").GetString()!
            .Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(shards.Select(s => $"{s.Name()}-0.redis-cluster:6379/{s.Name()}-1.redis-cluster:6379").Order(), pairs.Order());
        var budget = objects.Find("PodDisruptionBudget", "redis-cluster").GetProperty("spec");
        Assert.Equal(1, budget.GetProperty("maxUnavailable").GetInt32());
        Assert.False(Labels(budget.GetProperty("selector").GetProperty("matchLabels")).ContainsKey("vapora.io/redis-shard"));
    }

    [Fact]
    public async Task The_sentinel_overlay_spreads_three_data_nodes_and_three_sentinels_with_a_budget_each()
    {
        var objects = await Manifests.RenderAsync("overlays/redis-sentinel");

        foreach (var (set, budget) in new[] { ("redis-node", "redis-nodes"), ("redis-sentinel", "redis-sentinel") })
        {
            var spec = objects.Find("StatefulSet", set);
            Assert.Equal(3, spec.GetProperty("spec").GetProperty("replicas").GetInt32());
            var spread = Assert.Single(spec.PodSpec().GetProperty("topologySpreadConstraints").EnumerateArray());
            Assert.Equal(("kubernetes.io/hostname", "DoNotSchedule"), (spread.GetProperty("topologyKey").GetString(), spread.GetProperty("whenUnsatisfiable").GetString()));
            Assert.Equal(1, objects.Find("PodDisruptionBudget", budget).GetProperty("spec").GetProperty("maxUnavailable").GetInt32());
        }

        var sentinel = objects.Find("StatefulSet", "redis-sentinel").PodSpec().GetProperty("containers")[0];
        Assert.Contains(sentinel.GetProperty("env").EnumerateArray(), e => e.GetProperty("name").GetString() == "SENTINEL_PASSWORD"
            && e.GetProperty("valueFrom").GetProperty("secretKeyRef").GetProperty("key").GetString() == "sentinel-password");
        Assert.EndsWith(",serviceName=vapora", objects.GeneratedConfigMap("vapora-config").GetProperty("data").GetProperty("ConnectionStrings__redis").GetString(), StringComparison.Ordinal);
    }

    private static string MemoryFlags(IReadOnlyDictionary<string, string> flags) => string.Join(' ', flags
        .Where(f => f.Key.StartsWith("maxmemory", StringComparison.Ordinal) || f.Key == "client-output-buffer-limit")
        .OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => $"--{f.Key} {f.Value}"));

    private static Dictionary<string, string> Labels(JsonElement labels) =>
        labels.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);

    /// <summary>Bytes of a Kubernetes quantity (512Mi) or a Redis size (384mb: Redis's mb is MiB).</summary>
    internal static long Quantity(string text)
    {
        var units = new (string Suffix, long Factor)[] { ("Gi", 1L << 30), ("Mi", 1L << 20), ("Ki", 1L << 10), ("gb", 1L << 30), ("mb", 1L << 20), ("kb", 1L << 10) };
        foreach (var (suffix, factor) in units)
        {
            if (text.EndsWith(suffix, StringComparison.Ordinal))
            {
                return long.Parse(text[..^suffix.Length], CultureInfo.InvariantCulture) * factor;
            }
        }

        return long.Parse(text, CultureInfo.InvariantCulture);
    }
}
