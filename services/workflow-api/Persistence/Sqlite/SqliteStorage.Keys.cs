using Microsoft.Data.Sqlite;

namespace Vapora.WorkflowApi.Persistence.Sqlite;

/// <summary>Idempotency keys, per subject, until they expire (table <c>idempotency_claims</c>).</summary>
internal sealed partial class SqliteStorage
{
    private const string ClaimColumns = "fingerprint, expires_at, payload, name, created_at";

    public async Task<IdempotencyClaim?> FindIdempotencyClaimAsync(SubjectKey key, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await ReadClaimAsync(connection, key, now, cancellationToken);
    }

    public async Task<IdempotencyClaim> ClaimIdempotencyKeyAsync(IdempotencyClaim claim, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        var planned = claim.Planned;
        // Inserted, or put in place of an expired claim; a claim still alive is left alone.
        var recorded = await ExecuteAsync(connection,
            "INSERT INTO idempotency_claims (subject, key, fingerprint, workflow_id, version, payload, name, created_at, expires_at) "
            + "VALUES ($subject, $key, $fingerprint, $id, $version, $payload, $name, $created, $expires) "
            + "ON CONFLICT (subject, key) DO UPDATE SET fingerprint = excluded.fingerprint, workflow_id = excluded.workflow_id, "
            + "version = excluded.version, payload = excluded.payload, name = excluded.name, created_at = excluded.created_at, "
            + "expires_at = excluded.expires_at WHERE idempotency_claims.expires_at <= $now",
            cancellationToken,
            ("$subject", claim.Key.Subject), ("$key", claim.Key.Key), ("$fingerprint", claim.Fingerprint), ("$id", planned.WorkflowId),
            ("$version", planned.Version), ("$payload", planned.Update.Json.ToArray()), ("$name", planned.Name),
            ("$created", planned.CreatedAt.ToUnixTimeMilliseconds()), ("$expires", claim.ExpiresAt.ToUnixTimeMilliseconds()),
            ("$now", now.ToUnixTimeMilliseconds()));
        if (recorded == 1)
        {
            return claim;
        }

        return await ReadClaimAsync(connection, claim.Key, now, cancellationToken)
            ?? throw new StoredDataException($"Idempotency key {claim.Key.Key} of {claim.Key.Subject} was neither stored nor found.");
    }

    public async Task<bool> ReplanIdempotencyClaimAsync(IdempotencyClaim current, LogEntry next, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await ExecuteAsync(connection,
            "UPDATE idempotency_claims SET version = $next, payload = $payload WHERE subject = $subject AND key = $key "
            + "AND workflow_id = $id AND version = $version AND expires_at = $expires",
            cancellationToken,
            ("$next", next.Version), ("$payload", next.Update.Json.ToArray()), ("$subject", current.Key.Subject), ("$key", current.Key.Key),
            ("$id", current.Planned.WorkflowId), ("$version", current.Planned.Version), ("$expires", current.ExpiresAt.ToUnixTimeMilliseconds())) == 1;
    }

    public async Task<long> DeleteExpiredIdempotencyKeysAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await ExecuteAsync(connection,
            "DELETE FROM idempotency_claims WHERE (subject, key) IN "
            + "(SELECT subject, key FROM idempotency_claims WHERE expires_at <= $now ORDER BY expires_at LIMIT $limit)",
            cancellationToken, ("$now", now.ToUnixTimeMilliseconds()), ("$limit", limit));
    }

    private static async Task<IdempotencyClaim?> ReadClaimAsync(SqliteConnection connection, SubjectKey key, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var command = Command(connection,
            $"SELECT {ClaimColumns} FROM idempotency_claims WHERE subject = $subject AND key = $key AND expires_at > $now",
            ("$subject", key.Subject), ("$key", key.Key), ("$now", now.ToUnixTimeMilliseconds()));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new IdempotencyClaim(key, reader.GetString(0), ReadEntry(reader, 2), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1)))
            : null;
    }
}
