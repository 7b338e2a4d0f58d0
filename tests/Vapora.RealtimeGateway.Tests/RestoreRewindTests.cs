using Microsoft.Data.Sqlite;
using Vapora.Testing;

namespace Vapora.RealtimeGateway.Tests;

/// <summary>
/// The store is restored from a backup while gateways run (issue 26): versions are handed out again that the
/// gateways already forwarded. The gateway notices at the first repeated version (no restart, no operator step):
/// its watchers get the restored state marked <c>"reset":true</c> and then the new writes, and a client that resumes
/// from a version the restored store never had is reset too. The backup is taken the way docs/operations.md says,
/// with SQLite's online backup of the live file.
/// </summary>
public sealed class RestoreRewindTests(RedisFixture redis) : IAsyncLifetime
{
    private readonly string _database = Path.Combine(Path.GetTempPath(), $"vapora-restore-{Guid.NewGuid():N}.db");
    private readonly string _backup = Path.Combine(Path.GetTempPath(), $"vapora-backup-{Guid.NewGuid():N}.db");
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

        // The shipped convergence interval (30 s): the rewind must be found by the repeated version, not by the clock.
        _gateway = await ServiceProcess.StartGatewayAsync(redis.Server.ConnectionString, _api.BaseUrl, GatewayFixture.TestGatewaySettings);
    }

    public async ValueTask DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _api.DisposeAsync();
        SqliteConnection.ClearAllPools();
        foreach (var file in new[] { _database, _database + "-wal", _database + "-shm", _backup })
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task After_a_restore_to_an_earlier_version_watchers_get_the_restored_state_as_a_reset_and_every_new_write()
    {
        var created = await Client.CreateAsync(totalSteps: 100);
        var id = created.WorkflowId;
        await Client.ProgressAsync(id, 1);
        await Client.ProgressAsync(id, 2);
        BackUp(); // at version 3
        await using var watcher = await _gateway.WatchAsync(id);
        for (var step = 3; step <= 6; step++)
        {
            await Client.ProgressAsync(id, step);
        }

        await ReadUntilAsync(watcher, version: 7);

        await RestoreAsync();
        Assert.Equal(4, (await Client.ProgressAsync(id, 40)).Version); // version 4 again, with other content
        Assert.Equal(5, (await Client.ProgressAsync(id, 41)).Version);

        // The restarted API may first republish what the backup held as unpublished (up to 3), and the gateway may
        // find the rewind then or only after 4 or 5 came again: a reset to what the store had then, then gap-free.
        var reset = await watcher.NextJsonAsync(TimeSpan.FromSeconds(10));
        ResetTests.AssertReset(reset, id, version: reset.GetProperty("version").GetInt64());
        var resetVersion = reset.GetProperty("version").GetInt64();
        Assert.InRange(resetVersion, 3, 5);
        var rest = (int)(5 - resetVersion);
        if (rest > 0)
        {
            Assert.Equal(Enumerable.Range((int)resetVersion + 1, rest).Select(v => (long)v), await watcher.ReadVersionsAsync(rest));
        }

        if (resetVersion == 4)
        {
            Assert.Equal(40, reset.GetProperty("current_step").GetInt32());
        }

        await using var ahead = await _gateway.WatchAsync(id, after: 7);
        ResetTests.AssertReset(await ahead.NextJsonAsync(), id, version: 5);
        await Poll.UntilAsync(async () => (await _gateway.MetricsAsync()).Value("vapora_gateway_resets_total", "reason=\"rewound\"") == 1,
            TimeSpan.FromSeconds(5), "the rewind to be counted");
        Assert.Contains("was rewound", _gateway.Log(), StringComparison.Ordinal);
    }

    /// <summary>Reads the watcher's frames (the state first, then what came after it) until <paramref name="version"/>.</summary>
    private static async Task ReadUntilAsync(TestSocket watcher, long version)
    {
        var versions = await watcher.ReadVersionsAsync(1);
        while (versions[^1] < version)
        {
            versions.AddRange(await watcher.ReadVersionsAsync(1));
        }

        Assert.Equal(version, versions[^1]);
        Assert.Equal(Enumerable.Range((int)versions[0], versions.Count).Select(v => (long)v), versions);
    }

    /// <summary>SQLite's online backup of the live database, as <c>sqlite3 vapora.db ".backup …"</c> takes it.</summary>
    private void BackUp()
    {
        using var live = new SqliteConnection($"Data Source={_database};Mode=ReadOnly");
        using var copy = new SqliteConnection($"Data Source={_backup}");
        live.Open();
        copy.Open();
        live.BackupDatabase(copy);
    }

    /// <summary>The documented restore: stop the API, put the backup in place of the database (and its WAL), start it.</summary>
    private async Task RestoreAsync()
    {
        Assert.True(await _api.TerminateAsync(TimeSpan.FromSeconds(20)), "the API to stop");
        SqliteConnection.ClearAllPools();
        File.Delete(_database + "-wal");
        File.Delete(_database + "-shm");
        File.Copy(_backup, _database, overwrite: true);
        await _api.RestartAsync();
    }
}
