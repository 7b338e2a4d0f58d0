using Microsoft.Data.Sqlite;

namespace Vapora.WorkflowApi.Persistence.Sqlite;

/// <summary>Leases and retention: batched deletes, one transaction per batch.</summary>
internal sealed partial class SqliteStorage
{
    public async Task<bool> TryAcquireLeaseAsync(string lease, string owner, TimeSpan duration, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        var now = time.GetUtcNow();
        return await ExecuteAsync(connection,
            "INSERT INTO leases (name, owner, expires_at) VALUES ($name, $owner, $until) "
            + "ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at "
            + "WHERE leases.owner = excluded.owner OR leases.expires_at <= $now",
            cancellationToken,
            ("$name", lease), ("$owner", owner), ("$until", (now + duration).ToUnixTimeMilliseconds()), ("$now", now.ToUnixTimeMilliseconds())) == 1;
    }

    public async Task ReleaseLeaseAsync(string lease, string owner, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await ExecuteAsync(connection, "DELETE FROM leases WHERE name = $name AND owner = $owner", cancellationToken, ("$name", lease), ("$owner", owner));
    }

    public async Task<IReadOnlyList<RetentionCandidate>> FindRetentionDueAsync(RetentionStage stage, DateTimeOffset terminalBefore, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        // Each stage has a partial index holding exactly its candidates, in terminal_at order.
        await using var command = Command(connection,
            "SELECT id, version, terminal_at FROM workflow_summaries WHERE terminal_at IS NOT NULL AND terminal_at < $before "
            + (stage == RetentionStage.Compact ? "AND compacted = 0 " : "") + "ORDER BY terminal_at LIMIT $limit",
            ("$before", terminalBefore.ToUnixTimeMilliseconds()), ("$limit", limit));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var candidates = new List<RetentionCandidate>();
        while (await reader.ReadAsync(cancellationToken))
        {
            candidates.Add(new RetentionCandidate(reader.GetString(0), reader.GetInt64(1), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(2))));
        }

        return candidates;
    }

    public Task<RetentionResult> CompactAsync(IReadOnlyList<RetentionCandidate> workflows, CancellationToken cancellationToken) =>
        InBatchAsync(workflows, cancellationToken,
            "DELETE FROM workflow_log WHERE workflow_id = $id AND version < $last",
            "UPDATE workflow_summaries SET compacted = 1 WHERE id = $id");

    public Task<RetentionResult> DeleteWorkflowsAsync(IReadOnlyList<RetentionCandidate> workflows, CancellationToken cancellationToken) =>
        InBatchAsync(workflows, cancellationToken,
            "DELETE FROM workflow_log WHERE workflow_id = $id",
            "DELETE FROM workflow_summaries WHERE id = $id");

    // One transaction per batch: one fsync for the batch, and the write lock held only for it. A workflow whose log
    // still holds an unpublished entry (the part the first statement removes, or any) is left alone.
    private async Task<RetentionResult> InBatchAsync(IReadOnlyList<RetentionCandidate> workflows, CancellationToken cancellationToken, string removeLog, string changeSummary)
    {
        if (workflows.Count == 0)
        {
            return default;
        }

        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        await using var waiting = Command(connection, "SELECT EXISTS (SELECT 1 FROM workflow_log WHERE workflow_id = $id AND published = 0)", ("$id", ""));
        await using var remove = Command(connection, removeLog, ("$id", ""), ("$last", 0L));
        await using var summary = Command(connection, changeSummary, ("$id", ""));
        waiting.Transaction = remove.Transaction = summary.Transaction = transaction;
        var result = default(RetentionResult);
        foreach (var workflow in workflows)
        {
            waiting.Parameters["$id"].Value = remove.Parameters["$id"].Value = summary.Parameters["$id"].Value = workflow.WorkflowId;
            remove.Parameters["$last"].Value = workflow.LastVersion;
            if ((long)(await waiting.ExecuteScalarAsync(cancellationToken))! == 1)
            {
                result = result.Add(new RetentionResult(0, 0, 1));
                continue;
            }

            var entries = await remove.ExecuteNonQueryAsync(cancellationToken);
            await summary.ExecuteNonQueryAsync(cancellationToken);
            result = result.Add(new RetentionResult(1, entries, 0));
        }

        await transaction.CommitAsync(cancellationToken);
        return result;
    }
}
