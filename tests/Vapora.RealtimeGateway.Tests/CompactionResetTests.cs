using System.Text.Json;
using Microsoft.Data.Sqlite;
using Vapora.Contracts;
using Vapora.Testing;

namespace Vapora.RealtimeGateway.Tests;

/// <summary>
/// Retention compacted a workflow's history below a client's position (here: rows deleted from the SQLite file of a real
/// workflow-api, as compaction will). A resume from there, and a gateway whose topic has a gap the log no longer holds,
/// get the current state marked <c>"reset":true</c> and go on live; a resume above the compaction point is gap-free.
/// </summary>
public sealed class CompactionResetTests(RedisFixture redis) : IAsyncLifetime
{
    private readonly string _database = Path.Combine(Path.GetTempPath(), $"vapora-compaction-{Guid.NewGuid():N}.db");
    private ServiceProcess _api = null!;
    private ServiceProcess _gateway = null!;

    private WorkflowApiClient Client => new(_api.Http);

    public async ValueTask InitializeAsync()
    {
        _api = await ServiceProcess.StartApiAsync(redis.Server.ConnectionString, new Dictionary<string, string?>
        {
            ["Storage__Provider"] = "sqlite",
            ["ConnectionStrings__sqlite"] = $"Data Source={_database}",
        });
        _gateway = await ServiceProcess.StartGatewayAsync(redis.Server.ConnectionString, _api.BaseUrl, Settings.Layer(GatewayFixture.TestGatewaySettings,
            new Dictionary<string, string?> { ["Gateway__ConvergenceCheckInterval"] = "00:00:01" }));
    }

    public async ValueTask DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _api.DisposeAsync();
        SqliteConnection.ClearAllPools();
        foreach (var file in new[] { _database, _database + "-wal", _database + "-shm" })
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task A_resume_below_the_compaction_point_gets_the_reset_state_and_one_above_it_gets_every_later_version()
    {
        var id = await AtVersion(20);
        await CompactAsync(id, below: 16);
        Assert.Equal(16, (await Client.HistoryAsync(id, after: 5))[0].Version); // what the gateway reads: the log starts at 16

        await using var behind = await _gateway.WatchAsync(id, after: 5);
        var reset = await behind.NextJsonAsync();
        await using var above = await _gateway.WatchAsync(id, after: 17);
        var caughtUp = await above.ReadVersionsAsync(3);
        await Client.ProgressAsync(id, 30);

        ResetTests.AssertReset(reset, id, version: 20);
        Assert.Equal([21L], await behind.ReadVersionsAsync(1));
        Assert.Equal([18L, 19, 20], caughtUp);
        Assert.Equal([21L], await above.ReadVersionsAsync(1));
        await Poll.UntilAsync(async () => (await _gateway.MetricsAsync()).Value("vapora_gateway_resets_total", "reason=\"compacted\"") == 1,
            TimeSpan.FromSeconds(5), "the reset to be counted");
    }

    [Fact]
    public async Task A_watcher_whose_missing_versions_were_compacted_before_the_gateway_repaired_them_gets_the_reset_state_and_goes_on()
    {
        var id = await AtVersion(3);
        await using var watcher = await _gateway.WatchAsync(id);
        Assert.Equal(3, (await watcher.NextJsonAsync()).GetProperty("version").GetInt64());

        // Versions 4..8 reached the log but never the backplane, and 4..7 were compacted before the gateway noticed: the
        // log holds 8 after 3 (written to the file, marked published). The convergence check finds the log ahead, and
        // the repair finds the version after its head gone.
        await AppendUnpublishedAsync(id, version: 8);

        var reset = await watcher.NextJsonAsync(TimeSpan.FromSeconds(15));
        await Client.ProgressAsync(id, 50);

        ResetTests.AssertReset(reset, id, version: 8);
        Assert.Equal([9L], await watcher.ReadVersionsAsync(1));
    }

    private async Task<string> AtVersion(int version)
    {
        var created = await Client.CreateAsync(totalSteps: 100);
        for (var step = 1; step < version; step++)
        {
            await Client.ProgressAsync(created.WorkflowId, step);
        }

        return created.WorkflowId;
    }

    private async Task CompactAsync(string workflowId, long below)
    {
        await using var connection = await OpenAsync();
        await using var delete = connection.CreateCommand();
        delete.CommandText = "DELETE FROM workflow_log WHERE workflow_id = $id AND version < $below";
        delete.Parameters.AddWithValue("$id", workflowId);
        delete.Parameters.AddWithValue("$below", below);
        await delete.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
    }

    private async Task AppendUnpublishedAsync(string workflowId, long version)
    {
        await using var connection = await OpenAsync();
        {
            var update = new WorkflowUpdate
            {
                WorkflowId = workflowId,
                Version = version,
                Status = WorkflowStatus.Running,
                CurrentStep = (int)version,
                TotalSteps = 100,
                Message = "written past the backplane",
                Timestamp = DateTimeOffset.UtcNow,
            };
            await using var insert = connection.CreateCommand();
            insert.CommandText = "INSERT INTO workflow_log (workflow_id, version, payload, name, created_at, published, accepted_at) "
                + "SELECT workflow_id, $version, $payload, name, created_at, 1, accepted_at FROM workflow_log WHERE workflow_id = $id AND version = 1";
            insert.Parameters.AddWithValue("$id", workflowId);
            insert.Parameters.AddWithValue("$version", version);
            insert.Parameters.AddWithValue("$payload", JsonSerializer.SerializeToUtf8Bytes(update, VaporaJsonContext.Default.WorkflowUpdate));
            Assert.Equal(1, await insert.ExecuteNonQueryAsync(TestContext.Current.CancellationToken));
        }
    }

    private async Task<SqliteConnection> OpenAsync()
    {
        var connection = new SqliteConnection($"Data Source={_database};Default Timeout=10");
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        return connection;
    }
}
