using System.Globalization;

namespace Vapora.Operations.Tests.Kubernetes;

/// <summary>
/// The gateways' scaling settings agree with each other and with measured memory: the HPA alone sets the count, a pod
/// reserves what its connection limit costs, and the connection target leaves room for a lost pod's clients.
/// </summary>
public sealed class ScalingManifestTests
{
    // docs/benchmarks.md and docs/operations.md "Capacity": a gateway's RSS before clients (106.7 MiB, 19,000 idle
    // sockets) and the most any measurement gave per connection (17.5 KiB: 10,000 idle sockets connected 200 at a time with
    // admission paced, benchmarks.md "The storm's survivors").
    private const double BaseMiB = 106.7;
    private const double KiBPerConnection = 17.5;

    [Theory]
    [MemberData(nameof(Targets))]
    public async Task No_workload_scaled_by_an_hpa_sets_its_own_replicas(string target)
    {
        var objects = await Manifests.RenderAsync(target);

        foreach (var hpa in objects.Where(o => o.Kind() == "HorizontalPodAutoscaler"))
        {
            var scaled = hpa.GetProperty("spec").GetProperty("scaleTargetRef");
            var workload = objects.Find(scaled.GetProperty("kind").GetString()!, scaled.GetProperty("name").GetString()!);
            Assert.False(workload.GetProperty("spec").TryGetProperty("replicas", out _), $"{workload.Name()} sets replicas next to its HPA");
        }
    }

    [Theory]
    [MemberData(nameof(Targets))]
    public async Task A_gateway_pod_reserves_the_memory_its_connection_limit_was_measured_to_cost(string target)
    {
        var objects = await Manifests.RenderAsync(target);
        var maxConnections = int.Parse(objects.GeneratedConfigMap("vapora-config").GetProperty("data").GetProperty("Gateway__MaxConnections").GetString()!, CultureInfo.InvariantCulture);
        var resources = objects.Find("Deployment", "realtime-gateway").PodSpec().GetProperty("containers")[0].GetProperty("resources");

        var needed = (long)((BaseMiB * 1024 * 1024) + (maxConnections * KiBPerConnection * 1024));
        var request = RedisManifestTests.Quantity(resources.GetProperty("requests").GetProperty("memory").GetString()!);
        var limit = RedisManifestTests.Quantity(resources.GetProperty("limits").GetProperty("memory").GetString()!);
        Assert.True(request >= needed, $"{target}: the memory request ({request >> 20} MiB) is below what {maxConnections} connections cost ({needed >> 20} MiB)");
        Assert.True(limit >= 2 * request, $"{target}: the limit leaves the garbage collector and send queues no headroom");
    }

    [Fact]
    public async Task The_connection_target_of_the_hpa_leaves_room_for_the_clients_of_a_lost_pod()
    {
        var objects = await Manifests.RenderAsync("overlays/production-monitoring");
        var maxConnections = int.Parse(objects.GeneratedConfigMap("vapora-config").GetProperty("data").GetProperty("Gateway__MaxConnections").GetString()!, CultureInfo.InvariantCulture);
        var spec = objects.Find("HorizontalPodAutoscaler", "realtime-gateway").GetProperty("spec");

        var connections = spec.GetProperty("metrics").EnumerateArray().Single(m => m.GetProperty("type").GetString() == "Pods").GetProperty("pods");
        Assert.Equal("vapora_gateway_connections", connections.GetProperty("metric").GetProperty("name").GetString());
        var target = int.Parse(connections.GetProperty("target").GetProperty("averageValue").GetString()!, CultureInfo.InvariantCulture);
        // With n pods at the target, one pod's clients spread over n - 1 others: the smallest n (minReplicas) must fit.
        var minReplicas = spec.GetProperty("minReplicas").GetInt32();
        Assert.True(target * minReplicas / (double)(minReplicas - 1) <= maxConnections,
            $"{minReplicas} pods at {target} connections cannot take a lost pod's clients under the limit of {maxConnections}");
        Assert.Contains(spec.GetProperty("metrics").EnumerateArray(), m => m.GetProperty("type").GetString() == "Resource");
    }

    public static TheoryData<string> Targets() => [.. Manifests.Targets];
}
