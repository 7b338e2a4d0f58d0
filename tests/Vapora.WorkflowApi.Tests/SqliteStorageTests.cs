using Microsoft.Data.Sqlite;
using Vapora.Contracts;
using Vapora.WorkflowApi.Persistence;
using Vapora.WorkflowApi.Persistence.Sqlite;
using static Vapora.WorkflowApi.Tests.StoreHarness;

namespace Vapora.WorkflowApi.Tests;

/// <summary>The store contract against a real SQLite file (a second handle is a second store on the same file).</summary>
public sealed class SqliteStorageTests : WorkflowStoreContract, IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("vapora-sqlite-").FullName;

    private string ConnectionString => $"Data Source={Path.Combine(_directory, "vapora.db")};Pooling=False";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    protected override Task<IStoragePrimitives> CreateStorageAsync(TimeProvider? time = null) =>
        Task.FromResult<IStoragePrimitives>(new SqliteStorage(ConnectionString, TimeSpan.FromSeconds(5), time ?? TimeProvider.System));

    protected override Task<IStoragePrimitives> OpenSecondStorageAsync(IStoragePrimitives first) => CreateStorageAsync();

    [Fact]
    public async Task Updates_survive_reopening_the_file()
    {
        var store = Rules(await CreateStorageAsync());
        var created = NewWorkflow("durable", 3);
        await store.CreateAsync(created, Ct);
        await store.UpdateAsync(created.Id, Step(1), null, null, Ct);

        var reopened = await CreateStorageAsync();

        Assert.Equal(2, (await Rules(reopened).GetAsync(created.Id, Ct))!.Version);
        Assert.Equal(2, (await reopened.ScanUnpublishedAsync(DateTimeOffset.UtcNow.AddSeconds(1), 10, Ct)).Count);
    }

    [Fact]
    public async Task A_file_written_by_the_earlier_layout_is_moved_into_the_current_tables_on_first_use()
    {
        var created = NewWorkflow("from the earlier layout", key: "old-key", fingerprint: "old-fingerprint");
        var first = created.FirstEntry();
        var second = Entry(created.Id, 2, name: created.Name, createdAt: created.CreatedAt);
        await using (var connection = new SqliteConnection(ConnectionString))
        {
            await connection.OpenAsync(Ct);
            await using var command = connection.CreateCommand();
            // The schema and rows exactly as the earlier SqliteWorkflowStore wrote them.
            command.CommandText = """
                CREATE TABLE workflows (id TEXT PRIMARY KEY, name TEXT NOT NULL, created_at INTEGER NOT NULL, idempotency_key TEXT UNIQUE,
                    request_fingerprint TEXT, version INTEGER NOT NULL, status TEXT NOT NULL);
                CREATE TABLE workflow_updates (workflow_id TEXT NOT NULL, version INTEGER NOT NULL, payload BLOB NOT NULL,
                    published INTEGER NOT NULL DEFAULT 0, accepted_at INTEGER NOT NULL, PRIMARY KEY (workflow_id, version)) WITHOUT ROWID;
                INSERT INTO workflows VALUES ($id, $name, $created, 'old-key', 'old-fingerprint', 2, 'running');
                INSERT INTO workflow_updates VALUES ($id, 1, $v1, 1, $created), ($id, 2, $v2, 0, $created);
                """;
            command.Parameters.AddWithValue("$id", created.Id);
            command.Parameters.AddWithValue("$name", created.Name);
            command.Parameters.AddWithValue("$created", created.CreatedAt.ToUnixTimeMilliseconds());
            command.Parameters.AddWithValue("$v1", first.Update.Json.ToArray());
            command.Parameters.AddWithValue("$v2", second.Update.Json.ToArray());
            await command.ExecuteNonQueryAsync(Ct);
        }

        var storage = await CreateStorageAsync();
        var store = Rules(storage);

        Assert.Equal(second.ToState(), await store.GetAsync(created.Id, Ct));
        Assert.Equal(second.ToState(), Assert.Single((await store.ListAsync(WorkflowStatus.Running, null, 10, Ct)).Items));
        Assert.Equal([second.Key], (await storage.ScanUnpublishedAsync(DateTimeOffset.UtcNow.AddSeconds(1), 10, Ct)).Select(e => e.Key));
        var replay = Assert.IsType<Workflows.CreateOutcome.Replayed>(await store.CreateAsync(NewWorkflow("from the earlier layout", key: "old-key", fingerprint: "old-fingerprint"), Ct));
        Assert.Equal(first.ToState(), replay.State);
        Assert.IsType<Workflows.UpdateOutcome.Applied>(await store.UpdateAsync(created.Id, Step(3), null, null, Ct));
    }

    [Fact]
    public async Task Every_connection_is_durable_and_waits_for_the_lock_whether_the_pool_hands_out_its_handle_again_or_a_new_one()
    {
        var storage = new SqliteStorage($"Data Source={Path.Combine(_directory, "pooled.db")};Pooling=True", TimeSpan.FromSeconds(7), TimeProvider.System);

        var handles = new List<SQLitePCL.sqlite3>();
        for (var open = 0; open < 4; open++)
        {
            await using var connection = await storage.OpenAsync(Ct);
            handles.Add(connection.Handle!);
            Assert.Equal(2L, await PragmaAsync(connection, "synchronous")); // FULL
            Assert.Equal(7000L, await PragmaAsync(connection, "busy_timeout"));
            if (open == 1)
            {
                // The next open gets a new handle, which has none of the pragmas the old one had.
                SqliteConnection.ClearPool(connection);
            }
        }

        Assert.Same(handles[0], handles[1]); // the pool's handle again: its pragmas were set on the first open only
        Assert.NotSame(handles[1], handles[2]);
        Assert.Same(handles[2], handles[3]);
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    private static async Task<long> PragmaAsync(SqliteConnection connection, string pragma)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA " + pragma;
        return (long)(await command.ExecuteScalarAsync(Ct))!;
    }
}
