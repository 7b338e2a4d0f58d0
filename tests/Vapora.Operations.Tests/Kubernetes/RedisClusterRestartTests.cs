using Vapora.Testing;

namespace Vapora.Operations.Tests.Kubernetes;

/// <summary>
/// The redis-cluster overlay's cluster, run from its own arguments and scripts: after every pod restarted at once on
/// new addresses it forms again by itself, and the API and a gateway in sharded mode deliver again.
/// </summary>
public sealed class RedisClusterRestartTests
{
    private static readonly IReadOnlyDictionary<string, string?> Sharded = new Dictionary<string, string?>
    {
        ["Redis__PubSub"] = "sharded",
        ["Publishing__OutboxPollInterval"] = "00:00:00.250",
        ["Publishing__OutboxGrace"] = "00:00:01",
    };

    [Fact]
    public async Task After_every_node_restarts_on_a_new_address_the_cluster_re_forms_and_updates_flow_again()
    {
        await using var cluster = await ManifestRedisCluster.StartAsync();
        await using var api = await ServiceProcess.StartApiAsync(cluster.ConnectionString, Settings.Layer(Sharded, RedisAcl.ServiceSettings(RedisAcl.ApiUser)));
        await using var gateway = await ServiceProcess.StartGatewayAsync(cluster.ConnectionString, api.BaseUrl,
            Settings.Layer(Sharded, RedisAcl.ServiceSettings(RedisAcl.GatewayUser)));
        var client = new WorkflowApiClient(api.Http);
        var created = await client.CreateAsync();
        await using var socket = await TestSocket.ConnectAsync(gateway.WebSocketUrl($"/api/workflows/{created.WorkflowId}/updates"));
        await socket.NextAsync();
        await client.ProgressAsync(created.WorkflowId, 1);
        Assert.Equal([2L], await socket.ReadVersionsAsync(1));

        await cluster.RestartEveryNodeAsync();
        cluster.StartMeetLoops();

        await cluster.WaitUntilFormedAsync(TimeSpan.FromSeconds(60));
        // Stored whatever Redis's state; published once the workflow's slot is served again, then live.
        for (var step = 2; step <= 4; step++)
        {
            await client.ProgressAsync(created.WorkflowId, step);
        }

        Assert.Equal([3L, 4, 5], await socket.ReadVersionsAsync(3, TimeSpan.FromSeconds(45)));
        await using var late = await TestSocket.ConnectAsync(gateway.WebSocketUrl($"/api/workflows/{created.WorkflowId}/updates"));
        await late.NextAsync();
        await client.ProgressAsync(created.WorkflowId, 5);
        Assert.Equal([6L], await late.ReadVersionsAsync(1, TimeSpan.FromSeconds(20)));
    }
}
