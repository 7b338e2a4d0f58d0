using System.Text;
using System.Text.Json;
using StackExchange.Redis;
using Vapora.Contracts;
using Vapora.Testing;

namespace Vapora.RealtimeGateway.Tests;

/// <summary>
/// Lost or reordered publishes. The API here cannot reach Redis (its publishes all fail and its relay waits ten minutes),
/// so the test decides exactly which stored updates reach the channel, and in what order. Each test starts its own API
/// and gateway, with the convergence check either off in practice (a day) or every second, so that gap detection and
/// the convergence check are each shown to work without the other.
/// </summary>
public sealed class GapRepairTests(RedisFixture redis) : IAsyncDisposable
{
    private ServiceProcess? _api;
    private ServiceProcess? _gateway;

    private WorkflowApiClient Client => new(_api!.Http);

    public async ValueTask DisposeAsync()
    {
        if (_gateway is not null)
        {
            await _gateway.DisposeAsync();
        }

        if (_api is not null)
        {
            await _api.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_gateway_that_sees_version_N_plus_2_after_N_repairs_the_gap_from_the_history_and_drops_the_late_duplicate()
    {
        // No convergence check during the test: only gap detection can bring versions 2 and 3.
        var gateway = await StartAsync(convergenceCheckInterval: "1.00:00:00");
        var created = await Client.CreateAsync();
        await using var socket = await gateway.WatchAsync(created.WorkflowId);
        await socket.NextAsync();
        await Client.ProgressAsync(created.WorkflowId, 1);
        await Client.ProgressAsync(created.WorkflowId, 2);
        var stored = await StoredBytesAsync(created.WorkflowId);

        await PublishAsync(created.WorkflowId, stored[3]);
        var repaired = await socket.ReadVersionsAsync(2);
        await PublishAsync(created.WorkflowId, stored[2]);
        await PublishAsync(created.WorkflowId, stored[3]);
        await Client.ProgressAsync(created.WorkflowId, 3);
        await PublishAsync(created.WorkflowId, (await StoredBytesAsync(created.WorkflowId))[4]);

        Assert.Equal([2L, 3], repaired);
        Assert.Equal([4L], await socket.ReadVersionsAsync(1));
        var metrics = await gateway.MetricsAsync();
        Assert.Equal(2, metrics.Value("vapora_gateway_gap_repairs_total"));
        Assert.True(metrics.Value("vapora_gateway_messages_dropped_total", "reason=\"duplicate\"") >= 2);
    }

    [Fact]
    public async Task A_workflow_whose_publish_was_lost_still_converges_through_the_periodic_check()
    {
        var gateway = await StartAsync(convergenceCheckInterval: "00:00:01");
        var created = await Client.CreateAsync();
        await using var socket = await gateway.WatchAsync(created.WorkflowId);
        await socket.NextAsync();

        // Stored, never published: nothing arrives on the channel.
        await Client.ProgressAsync(created.WorkflowId, 1, "lost publish");

        var frame = await socket.NextJsonAsync(TimeSpan.FromSeconds(15));
        Assert.Equal(2, frame.GetProperty("version").GetInt64());
        Assert.Equal("lost publish", frame.GetProperty("message").GetString());
    }

    private async Task<ServiceProcess> StartAsync(string convergenceCheckInterval)
    {
        _api = await ServiceProcess.StartApiAsync($"127.0.0.1:{TestPorts.GetFree()}", new Dictionary<string, string?>
        {
            ["Publishing__OutboxGrace"] = "00:10:00",
            ["Publishing__PublishTimeout"] = "00:00:00.100",
        });
        _gateway = await ServiceProcess.StartGatewayAsync(redis.Server.ConnectionString, _api.BaseUrl, new Dictionary<string, string?>
        {
            ["Gateway__ConvergenceCheckInterval"] = convergenceCheckInterval,
        });
        return _gateway;
    }

    private async Task<Dictionary<long, byte[]>> StoredBytesAsync(string id)
    {
        var history = await _api!.Http.GetByteArrayAsync($"api/workflows/{id}/history", TestContext.Current.CancellationToken);
        using var document = JsonDocument.Parse(history);
        return document.RootElement.EnumerateArray().ToDictionary(
            e => e.GetProperty("version").GetInt64(),
            e => Encoding.UTF8.GetBytes(e.GetRawText()));
    }

    private async Task PublishAsync(string id, byte[] payload)
    {
        var admin = await redis.Server.AdminAsync();
        await admin.GetSubscriber().PublishAsync(RedisChannel.Literal(WorkflowChannels.NameFor(id)), payload);
    }
}
