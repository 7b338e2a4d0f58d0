using Microsoft.Data.Sqlite;

namespace Vapora.WorkflowApi.Persistence.Sqlite;

/// <summary>
/// The tables, created on first use, and the one-time moves of files written by earlier layouts: a <c>workflows</c>
/// table holding idempotency keys beside <c>workflow_updates</c>; summaries without the retention columns; keys that
/// belonged to no subject (<c>idempotency_keys</c>).
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
        CREATE TABLE IF NOT EXISTS workflow_summaries (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            version INTEGER NOT NULL,
            status TEXT NOT NULL,
            payload BLOB NOT NULL,
            terminal_at INTEGER,
            compacted INTEGER NOT NULL DEFAULT 0
        ) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS idempotency_claims (
            subject TEXT NOT NULL,
            key TEXT NOT NULL,
            fingerprint TEXT NOT NULL,
            workflow_id TEXT NOT NULL,
            version INTEGER NOT NULL,
            payload BLOB NOT NULL,
            name TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            expires_at INTEGER NOT NULL,
            PRIMARY KEY (subject, key)
        ) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS leases (
            name TEXT PRIMARY KEY,
            owner TEXT NOT NULL,
            expires_at INTEGER NOT NULL
        ) WITHOUT ROWID;
        """;

    // After the moves, so that the columns they index exist.
    private const string Indexes = """
        CREATE INDEX IF NOT EXISTS workflow_log_outbox ON workflow_log (workflow_id, version) WHERE published = 0;
        CREATE INDEX IF NOT EXISTS workflow_summaries_status ON workflow_summaries (status, id DESC);
        CREATE INDEX IF NOT EXISTS workflow_summaries_to_compact ON workflow_summaries (terminal_at) WHERE terminal_at IS NOT NULL AND compacted = 0;
        CREATE INDEX IF NOT EXISTS workflow_summaries_to_delete ON workflow_summaries (terminal_at) WHERE terminal_at IS NOT NULL;
        CREATE INDEX IF NOT EXISTS idempotency_claims_expiry ON idempotency_claims (expires_at);
        """;

    private const string MoveEarlierLayout = """
        INSERT OR IGNORE INTO workflow_log (workflow_id, version, payload, name, created_at, published, accepted_at)
            SELECT u.workflow_id, u.version, u.payload, w.name, w.created_at, u.published, u.accepted_at
            FROM workflow_updates u JOIN workflows w ON w.id = u.workflow_id;
        INSERT OR IGNORE INTO workflow_summaries (id, name, created_at, version, status, payload)
            SELECT w.id, w.name, w.created_at, w.version, w.status, u.payload
            FROM workflows w JOIN workflow_updates u ON u.workflow_id = w.id AND u.version = w.version;
        INSERT OR IGNORE INTO idempotency_claims (subject, key, fingerprint, workflow_id, version, payload, name, created_at, expires_at)
            SELECT 'anonymous', w.idempotency_key, w.request_fingerprint, w.id, 1, u.payload, w.name, w.created_at, w.created_at + 86400000
            FROM workflows w JOIN workflow_updates u ON u.workflow_id = w.id AND u.version = 1
            WHERE w.idempotency_key IS NOT NULL AND w.request_fingerprint IS NOT NULL;
        DROP TABLE workflow_updates;
        DROP TABLE workflows;
        """;

    private const string AddRetentionColumns = """
        ALTER TABLE workflow_summaries ADD COLUMN terminal_at INTEGER;
        ALTER TABLE workflow_summaries ADD COLUMN compacted INTEGER NOT NULL DEFAULT 0;
        """;

    // A terminal summary ended when its last update was made (the update's timestamp, ISO 8601 UTC in its JSON).
    private const string BackfillTerminalAt = """
        UPDATE workflow_summaries
        SET terminal_at = CAST(round((julianday(json_extract(CAST(payload AS TEXT), '$.timestamp')) - 2440587.5) * 86400000) AS INTEGER)
        WHERE terminal_at IS NULL AND status IN ('completed', 'failed', 'cancelled');
        """;

    // Keys of the layout before subjects: anonymous (the only subject without authentication), for the default lifetime.
    private const string MoveSubjectlessKeys = """
        INSERT OR IGNORE INTO idempotency_claims (subject, key, fingerprint, workflow_id, version, payload, name, created_at, expires_at)
            SELECT 'anonymous', key, fingerprint, workflow_id, 1, payload, name, created_at, created_at + 86400000 FROM idempotency_keys;
        DROP TABLE idempotency_keys;
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
        var backfill = false;
        if (!await ScalarAsync(command, "SELECT count(*) FROM pragma_table_info('workflow_summaries') WHERE name = 'terminal_at'", cancellationToken)
            && await ScalarAsync(command, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'workflow_summaries'", cancellationToken))
        {
            await ExecuteAsync(command, AddRetentionColumns, cancellationToken);
            backfill = true;
        }

        await ExecuteAsync(command, Tables, cancellationToken);
        if (await ScalarAsync(command, "SELECT count(*) = 2 FROM sqlite_master WHERE type = 'table' AND name IN ('workflows', 'workflow_updates')", cancellationToken))
        {
            await ExecuteAsync(command, MoveEarlierLayout, cancellationToken);
            backfill = true;
        }

        if (await ScalarAsync(command, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'idempotency_keys'", cancellationToken))
        {
            await ExecuteAsync(command, MoveSubjectlessKeys, cancellationToken);
        }

        if (backfill)
        {
            await ExecuteAsync(command, BackfillTerminalAt, cancellationToken);
        }

        await ExecuteAsync(command, Indexes, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    private static async Task<bool> ScalarAsync(SqliteCommand command, string sql, CancellationToken cancellationToken)
    {
        command.CommandText = sql;
        return (long)(await command.ExecuteScalarAsync(cancellationToken))! > 0;
    }

    private static async Task ExecuteAsync(SqliteCommand command, string sql, CancellationToken cancellationToken)
    {
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
