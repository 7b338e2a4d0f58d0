using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using Vapora.Contracts;

namespace Vapora.WorkflowApi.Persistence.Sqlite;

/// <summary>
/// A durable store in one SQLite file, for a single machine (and for proving crash recovery where no MongoDB runs).
/// Each primitive is one statement (or one transaction), so processes sharing the file stay consistent; WAL with
/// synchronous=FULL makes a stored entry survive a crash, and appends and summary moves commit in groups (one fsync for
/// all that wait). Processes sharing the file share the machine's clock, which
/// leases and key expiry are judged by.
/// </summary>
internal sealed partial class SqliteStorage(string connectionString, TimeSpan busyTimeout, TimeProvider time) : IStoragePrimitives
{
    private const string EntryColumns = "payload, name, created_at";
    private readonly SemaphoreSlim _schemaLock = new(1, 1);
    private readonly string _pragmas = "PRAGMA synchronous = FULL; PRAGMA busy_timeout = " + (long)busyTimeout.TotalMilliseconds;

    /// <summary>
    /// The pooled database handles whose pragmas are set. A pragma lasts as long as its handle, and the pool hands the
    /// same handle out again and again: setting them once per handle, not once per store call (several per PATCH),
    /// takes two statements off every call.
    /// </summary>
    private readonly ConditionalWeakTable<SQLitePCL.sqlite3, object> _configured = new();
    private volatile bool _schemaReady;
    private SqliteGroupCommit? _writes;

    // Appends and summary moves, the writes of every accepted update, commit in groups (SqliteGroupCommit.cs).
    private SqliteGroupCommit Writes => LazyInitializer.EnsureInitialized(ref _writes, () => new SqliteGroupCommit(OpenAsync, IsUnavailable));

    public async Task<bool> TryAppendAsync(LogEntry entry, CancellationToken cancellationToken) =>
        await Writes.ExecuteAsync(
            "INSERT INTO workflow_log (workflow_id, version, payload, name, created_at, published, accepted_at) "
            + "VALUES ($id, $version, $payload, $name, $created, 0, $accepted) ON CONFLICT (workflow_id, version) DO NOTHING",
            [
                ("$id", entry.WorkflowId), ("$version", entry.Version), ("$payload", entry.Update.Json.ToArray()), ("$name", entry.Name),
                ("$created", entry.CreatedAt.ToUnixTimeMilliseconds()), ("$accepted", time.GetUtcNow().ToUnixTimeMilliseconds()),
            ],
            cancellationToken) == 1;

    public async Task<LogEntry?> ReadLatestAsync(string workflowId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        var entries = await ReadEntriesAsync(connection,
            $"SELECT {EntryColumns} FROM workflow_log WHERE workflow_id = $id ORDER BY version DESC LIMIT 1", cancellationToken, ("$id", workflowId));
        return entries.Count == 0 ? null : entries[0];
    }

    public async Task<long> ReadNewestVersionAsync(string workflowId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, "SELECT coalesce(max(version), 0) FROM workflow_log WHERE workflow_id = $id", ("$id", workflowId));
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    public async Task<IReadOnlyList<StoredUpdate>> ReadRangeAsync(string workflowId, long afterVersion, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection,
            "SELECT payload FROM workflow_log WHERE workflow_id = $id AND version > $after ORDER BY version LIMIT $limit",
            ("$id", workflowId), ("$after", afterVersion), ("$limit", limit));
        var updates = new List<StoredUpdate>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            updates.Add(StoredUpdate.Decode((byte[])reader.GetValue(0)));
        }

        return updates;
    }

    public async Task<bool> UpsertSummaryAsync(LogEntry entry, CancellationToken cancellationToken)
    {
        var update = entry.Update.Update;
        return await Writes.ExecuteAsync(
            "INSERT INTO workflow_summaries (id, name, created_at, version, status, payload, terminal_at) VALUES ($id, $name, $created, $version, $status, $payload, $terminal) "
            + "ON CONFLICT (id) DO UPDATE SET version = excluded.version, status = excluded.status, payload = excluded.payload, terminal_at = excluded.terminal_at "
            + "WHERE excluded.version > workflow_summaries.version",
            [
                ("$id", entry.WorkflowId), ("$name", entry.Name), ("$created", entry.CreatedAt.ToUnixTimeMilliseconds()),
                ("$version", entry.Version), ("$status", update.Status.ToWireName()), ("$payload", entry.Update.Json.ToArray()),
                ("$terminal", update.Status.IsTerminal() ? update.Timestamp.ToUnixTimeMilliseconds() : null),
            ],
            cancellationToken) == 1;
    }

    public async Task<IReadOnlyList<WorkflowState>> ListSummariesAsync(WorkflowStatus? status, string? beforeId, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        var entries = await ReadEntriesAsync(connection,
            $"SELECT {EntryColumns} FROM workflow_summaries WHERE ($status IS NULL OR status = $status) AND ($before IS NULL OR id < $before) "
            + "ORDER BY id DESC LIMIT $limit",
            cancellationToken, ("$status", status?.ToWireName()), ("$before", beforeId), ("$limit", limit));
        return entries.ConvertAll(e => e.ToState());
    }

    public async Task<IReadOnlyList<LogEntry>> ScanUnpublishedAsync(DateTimeOffset acceptedBefore, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        // Per workflow, up to its highest version accepted before the time; the partial outbox index serves both the
        // outer scan, in order, and the per-workflow lookup. The scan stops at the limit.
        return await ReadEntriesAsync(connection,
            $"SELECT {EntryColumns} FROM workflow_log l WHERE published = 0 AND version <= "
            + "(SELECT max(d.version) FROM workflow_log d WHERE d.workflow_id = l.workflow_id AND d.published = 0 AND d.accepted_at < $before) "
            + "ORDER BY workflow_id, version LIMIT $limit",
            cancellationToken, ("$before", acceptedBefore.ToUnixTimeMilliseconds()), ("$limit", limit));
    }

    public async Task<OutboxBacklog> MeasureUnpublishedAsync(DateTimeOffset acceptedBefore, long cap, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        // The LIMIT inside stops the count at the cap; the oldest is of every due entry, outside the cap. The partial
        // outbox index holds only unpublished entries.
        await using var command = Command(connection,
            "SELECT (SELECT count(*) FROM (SELECT 1 FROM workflow_log WHERE published = 0 AND accepted_at < $before LIMIT $cap)), "
            + "(SELECT min(accepted_at) FROM workflow_log WHERE published = 0 AND accepted_at < $before)",
            ("$before", acceptedBefore.ToUnixTimeMilliseconds()), ("$cap", cap));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new OutboxBacklog(reader.GetInt64(0), reader.IsDBNull(1) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1)));
    }

    public async Task MarkPublishedAsync(IReadOnlyCollection<UpdateKey> keys, CancellationToken cancellationToken)
    {
        if (keys.Count == 0)
        {
            return;
        }

        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        await using var command = Command(connection,
            "UPDATE workflow_log SET published = 1 WHERE workflow_id = $id AND version = $version", ("$id", ""), ("$version", 0L));
        command.Transaction = transaction;
        foreach (var key in keys)
        {
            command.Parameters["$id"].Value = key.WorkflowId;
            command.Parameters["$version"].Value = key.Version;
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    // Outages: busy (another writer holds the file too long), locked, read-only (a volume remounted read-only), I/O
    // errors, a full disk, a file that cannot be opened (a volume not mounted yet). Everything else is a defect: a
    // corrupt file or one that is not a database, a constraint or SQL error (a bug), unreadable data.
    public bool IsUnavailable(Exception exception) => exception is SqliteException { SqliteErrorCode: 5 or 6 or 8 or 10 or 13 or 14 };

    /// <summary>A connection from the pool with the store's pragmas set (durable commits, the busy timeout).</summary>
    internal async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            var handle = connection.Handle!;
            if (!_configured.TryGetValue(handle, out _))
            {
                await ExecuteAsync(connection, _pragmas, cancellationToken);
                _configured.AddOrUpdate(handle, this);
            }

            if (!_schemaReady)
            {
                await _schemaLock.WaitAsync(cancellationToken);
                try
                {
                    if (!_schemaReady)
                    {
                        await SqliteSchema.EnsureAsync(connection, cancellationToken);
                        _schemaReady = true;
                    }
                }
                finally
                {
                    _schemaLock.Release();
                }
            }

            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>A command of <paramref name="connection"/> with its parameters bound (null as SQL NULL).</summary>
    internal static SqliteCommand Command(SqliteConnection connection, string sql, params (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        return command;
    }

    private static async Task<int> ExecuteAsync(SqliteConnection connection, string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var command = Command(connection, sql, parameters);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<List<LogEntry>> ReadEntriesAsync(SqliteConnection connection, string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var command = Command(connection, sql, parameters);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var entries = new List<LogEntry>();
        while (await reader.ReadAsync(cancellationToken))
        {
            entries.Add(ReadEntry(reader, 0));
        }

        return entries;
    }

    // Columns payload, name, created_at from ordinal on.
    private static LogEntry ReadEntry(SqliteDataReader reader, int ordinal) => new(
        StoredUpdate.Decode((byte[])reader.GetValue(ordinal)),
        reader.GetString(ordinal + 1),
        DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(ordinal + 2)));
}
