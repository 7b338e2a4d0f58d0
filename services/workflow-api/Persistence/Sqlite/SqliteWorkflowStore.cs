using System.Text.Json;
using Microsoft.Data.Sqlite;
using Vapora.Contracts;
using Vapora.WorkflowApi.Workflows;

namespace Vapora.WorkflowApi.Persistence.Sqlite;

/// <summary>
/// A durable embedded store in one SQLite file, for a single machine (and for proving crash recovery where no
/// MongoDB runs). Each write is one IMMEDIATE transaction, so versions stay contiguous even with several API
/// processes on the same file; WAL with synchronous=FULL makes a committed update survive a crash.
/// </summary>
internal sealed class SqliteWorkflowStore(string connectionString, TimeProvider time) : IWorkflowStore
{
    private const string Schema = """
        PRAGMA journal_mode = WAL;
        CREATE TABLE IF NOT EXISTS workflows (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            idempotency_key TEXT UNIQUE,
            request_fingerprint TEXT,
            version INTEGER NOT NULL,
            status TEXT NOT NULL
        );
        CREATE INDEX IF NOT EXISTS workflows_status_newest ON workflows (status, id DESC);
        CREATE TABLE IF NOT EXISTS workflow_updates (
            workflow_id TEXT NOT NULL,
            version INTEGER NOT NULL,
            payload BLOB NOT NULL,
            published INTEGER NOT NULL DEFAULT 0,
            accepted_at INTEGER NOT NULL,
            PRIMARY KEY (workflow_id, version)
        ) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS workflow_updates_outbox ON workflow_updates (accepted_at) WHERE published = 0;
        """;

    private readonly Lazy<Task> _schema = new(() => CreateSchemaAsync(connectionString));

    public async Task<CreateOutcome> CreateAsync(NewWorkflow workflow, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        if (workflow.IdempotencyKey is { } key)
        {
            await using var find = Command(connection, transaction,
                "SELECT w.id, w.request_fingerprint, w.name, w.created_at, u.payload FROM workflows w "
                + "JOIN workflow_updates u ON u.workflow_id = w.id AND u.version = 1 WHERE w.idempotency_key = $key",
                ("$key", key));
            await using var reader = await find.ExecuteReaderAsync(cancellationToken);
            if (await reader.ReadAsync(cancellationToken))
            {
                return reader.IsDBNull(1) || reader.GetString(1) != workflow.RequestFingerprint
                    ? new CreateOutcome.KeyReused(reader.GetString(0))
                    : new CreateOutcome.Replayed(WorkflowState.From(Decode(reader, 4), reader.GetString(2), FromMilliseconds(reader.GetInt64(3))));
            }
        }

        var first = workflow.FirstUpdate();
        await ExecuteAsync(Command(connection, transaction,
            "INSERT INTO workflows (id, name, created_at, idempotency_key, request_fingerprint, version, status) VALUES ($id, $name, $created, $key, $fingerprint, 1, $status)",
            ("$id", workflow.Id), ("$name", workflow.Name), ("$created", workflow.CreatedAt.ToUnixTimeMilliseconds()),
            ("$key", workflow.IdempotencyKey), ("$fingerprint", workflow.RequestFingerprint), ("$status", first.Update.Status.ToWireName())), cancellationToken);
        await InsertUpdateAsync(connection, transaction, first, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new CreateOutcome.Created(WorkflowState.From(first.Update, workflow.Name, workflow.CreatedAt), first);
    }

    public async Task<UpdateOutcome> UpdateAsync(string workflowId, WorkflowChange change, long? expectedVersion, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        await using var latest = Command(connection, transaction,
            "SELECT w.name, w.created_at, u.payload FROM workflows w JOIN workflow_updates u ON u.workflow_id = w.id AND u.version = w.version WHERE w.id = $id",
            ("$id", workflowId));
        string name;
        DateTimeOffset createdAt;
        WorkflowUpdate current;
        await using (var reader = await latest.ExecuteReaderAsync(cancellationToken))
        {
            if (!await reader.ReadAsync(cancellationToken))
            {
                return new UpdateOutcome.NotFound();
            }

            (name, createdAt, current) = (reader.GetString(0), FromMilliseconds(reader.GetInt64(1)), Decode(reader, 2));
        }

        if (expectedVersion is { } expected && expected != current.Version)
        {
            return new UpdateOutcome.VersionMismatch(current.Version);
        }

        var result = change.ApplyTo(current, time.GetUtcNow());
        if (result.Rejection is { } rejection)
        {
            return new UpdateOutcome.Rejected(rejection);
        }

        var stored = StoredUpdate.Encode(result.Update!);
        await InsertUpdateAsync(connection, transaction, stored, cancellationToken);
        await ExecuteAsync(Command(connection, transaction, "UPDATE workflows SET version = $version, status = $status WHERE id = $id",
            ("$version", stored.Update.Version), ("$status", stored.Update.Status.ToWireName()), ("$id", workflowId)), cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new UpdateOutcome.Applied(WorkflowState.From(stored.Update, name, createdAt), stored);
    }

    public async Task<WorkflowState?> GetAsync(string workflowId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, null,
            "SELECT w.name, w.created_at, u.payload FROM workflows w JOIN workflow_updates u ON u.workflow_id = w.id AND u.version = w.version WHERE w.id = $id",
            ("$id", workflowId));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? WorkflowState.From(Decode(reader, 2), reader.GetString(0), FromMilliseconds(reader.GetInt64(1)))
            : null;
    }

    public async Task<HistoryOutcome> GetHistoryAsync(string workflowId, long afterVersion, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, null,
            "SELECT payload FROM workflow_updates WHERE workflow_id = $id AND version > $after ORDER BY version LIMIT $limit",
            ("$id", workflowId), ("$after", afterVersion), ("$limit", limit));
        var updates = new List<StoredUpdate>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                updates.Add(Stored(reader, 0));
            }
        }

        if (updates.Count == 0)
        {
            await using var exists = Command(connection, null, "SELECT 1 FROM workflows WHERE id = $id", ("$id", workflowId));
            if (await exists.ExecuteScalarAsync(cancellationToken) is null)
            {
                return new HistoryOutcome.NotFound();
            }
        }

        return new HistoryOutcome.Found(updates);
    }

    public async Task<StoredPage> ListAsync(WorkflowStatus? status, string? cursor, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, null,
            "SELECT w.name, w.created_at, u.payload FROM workflows w JOIN workflow_updates u ON u.workflow_id = w.id AND u.version = w.version "
            + "WHERE ($status IS NULL OR w.status = $status) AND ($cursor IS NULL OR w.id < $cursor) ORDER BY w.id DESC LIMIT $limit",
            ("$status", status?.ToWireName()), ("$cursor", cursor), ("$limit", limit + 1));
        var items = new List<WorkflowState>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            items.Add(WorkflowState.From(Decode(reader, 2), reader.GetString(0), FromMilliseconds(reader.GetInt64(1))));
        }

        var next = items.Count > limit ? items[limit - 1].WorkflowId : null;
        return new StoredPage(items.Take(limit).ToList(), next);
    }

    public async Task<IReadOnlyList<StoredUpdate>> GetUnpublishedAsync(DateTimeOffset acceptedBefore, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, null,
            "SELECT payload FROM workflow_updates WHERE published = 0 AND accepted_at < $before ORDER BY workflow_id, version LIMIT $limit",
            ("$before", acceptedBefore.ToUnixTimeMilliseconds()), ("$limit", limit));
        var due = new List<StoredUpdate>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            due.Add(Stored(reader, 0));
        }

        return due;
    }

    public async Task MarkPublishedAsync(IReadOnlyCollection<UpdateKey> updates, CancellationToken cancellationToken)
    {
        if (updates.Count == 0)
        {
            return;
        }

        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        await using var command = Command(connection, transaction,
            "UPDATE workflow_updates SET published = 1 WHERE workflow_id = $id AND version = $version", ("$id", ""), ("$version", 0L));
        foreach (var key in updates)
        {
            command.Parameters["$id"].Value = key.WorkflowId;
            command.Parameters["$version"].Value = key.Version;
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        await _schema.Value;
        var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var pragma = Command(connection, null, "PRAGMA synchronous = FULL; PRAGMA busy_timeout = 10000;");
        await pragma.ExecuteNonQueryAsync(cancellationToken);
        return connection;
    }

    private async Task InsertUpdateAsync(SqliteConnection connection, SqliteTransaction transaction, StoredUpdate update, CancellationToken cancellationToken) =>
        await ExecuteAsync(Command(connection, transaction,
            "INSERT INTO workflow_updates (workflow_id, version, payload, published, accepted_at) VALUES ($id, $version, $payload, 0, $accepted)",
            ("$id", update.Update.WorkflowId), ("$version", update.Update.Version), ("$payload", update.Json.ToArray()),
            ("$accepted", time.GetUtcNow().ToUnixTimeMilliseconds())), cancellationToken);

    private static async Task CreateSchemaAsync(string connectionString)
    {
        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync();
        await using var command = Command(connection, null, Schema);
        await command.ExecuteNonQueryAsync();
    }

    private static SqliteCommand Command(SqliteConnection connection, SqliteTransaction? transaction, string sql, params (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        return command;
    }

    private static async Task ExecuteAsync(SqliteCommand command, CancellationToken cancellationToken)
    {
        await using (command)
        {
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    private static StoredUpdate Stored(SqliteDataReader reader, int ordinal)
    {
        var payload = (byte[])reader.GetValue(ordinal);
        return new StoredUpdate(Decode(payload), payload);
    }

    private static WorkflowUpdate Decode(SqliteDataReader reader, int ordinal) => Decode((byte[])reader.GetValue(ordinal));

    private static WorkflowUpdate Decode(byte[] payload) =>
        JsonSerializer.Deserialize(payload, VaporaJsonContext.Default.WorkflowUpdate)
        ?? throw new InvalidOperationException("A stored update payload is empty.");

    private static DateTimeOffset FromMilliseconds(long milliseconds) => DateTimeOffset.FromUnixTimeMilliseconds(milliseconds);
}
