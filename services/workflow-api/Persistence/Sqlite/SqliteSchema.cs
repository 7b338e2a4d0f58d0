using Microsoft.Data.Sqlite;

namespace Vapora.WorkflowApi.Persistence.Sqlite;

/// <summary>
/// The tables, created on first use, and the one-time move of a file written by the earlier layout (a
/// <c>workflows</c> table holding idempotency keys beside <c>workflow_updates</c>) into them.
/// </summary>
internal static class SqliteSchema
{
    private const string Tables = """
        CREATE TABLE IF NOT EXISTS workflow_log (
            workflow_id TEXT NOT NULL,
            version INTEGER NOT NULL,
            payload BLOB NOT NULL,
            name TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            published INTEGER NOT NULL DEFAULT 0,
            accepted_at INTEGER NOT NULL,
            PRIMARY KEY (workflow_id, version)
        ) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS workflow_log_outbox ON workflow_log (workflow_id, version) WHERE published = 0;
        CREATE TABLE IF NOT EXISTS workflow_summaries (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            version INTEGER NOT NULL,
            status TEXT NOT NULL,
            payload BLOB NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS workflow_summaries_status ON workflow_summaries (status, id DESC);
        CREATE TABLE IF NOT EXISTS idempotency_keys (
            key TEXT PRIMARY KEY,
            fingerprint TEXT NOT NULL,
            workflow_id TEXT NOT NULL,
            name TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            payload BLOB NOT NULL
        ) WITHOUT ROWID;
        """;

    private const string MoveEarlierLayout = """
        INSERT OR IGNORE INTO workflow_log (workflow_id, version, payload, name, created_at, published, accepted_at)
            SELECT u.workflow_id, u.version, u.payload, w.name, w.created_at, u.published, u.accepted_at
            FROM workflow_updates u JOIN workflows w ON w.id = u.workflow_id;
        INSERT OR IGNORE INTO workflow_summaries (id, name, created_at, version, status, payload)
            SELECT w.id, w.name, w.created_at, w.version, w.status, u.payload
            FROM workflows w JOIN workflow_updates u ON u.workflow_id = w.id AND u.version = w.version;
        INSERT OR IGNORE INTO idempotency_keys (key, fingerprint, workflow_id, name, created_at, payload)
            SELECT w.idempotency_key, w.request_fingerprint, w.id, w.name, w.created_at, u.payload
            FROM workflows w JOIN workflow_updates u ON u.workflow_id = w.id AND u.version = 1
            WHERE w.idempotency_key IS NOT NULL AND w.request_fingerprint IS NOT NULL;
        DROP TABLE workflow_updates;
        DROP TABLE workflows;
        """;

    /// <summary>Creates what is missing, in one IMMEDIATE transaction so that processes sharing the file do it once.</summary>
    public static async Task EnsureAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        await using (var wal = connection.CreateCommand())
        {
            // WAL: readers do not block the writer; outside a transaction, as SQLite requires.
            wal.CommandText = "PRAGMA journal_mode = WAL";
            await wal.ExecuteNonQueryAsync(cancellationToken);
        }

        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken); // BEGIN IMMEDIATE
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = Tables;
        await command.ExecuteNonQueryAsync(cancellationToken);
        command.CommandText = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('workflows', 'workflow_updates')";
        if ((long)(await command.ExecuteScalarAsync(cancellationToken))! == 2)
        {
            command.CommandText = MoveEarlierLayout;
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }
}
