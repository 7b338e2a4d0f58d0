using MongoDB.Bson;
using MongoDB.Driver;

namespace Vapora.WorkflowApi.Persistence.Mongo;

/// <summary>Leases (collection <c>leases</c>, by the primary's clock) and retention (bounded batches, each delete on one shard).</summary>
internal sealed partial class MongoStorage
{
    public async Task<bool> TryAcquireLeaseAsync(string lease, string owner, TimeSpan duration, CancellationToken cancellationToken)
    {
        await indexes.WaitAsync(cancellationToken);
        // Held by this owner, or expired by the primary's clock ($$NOW): take it until $$NOW + duration. Held by another:
        // nothing matches, the upsert inserts a second document with this _id and fails on the duplicate.
        var filter = new BsonDocument
        {
            ["_id"] = lease,
            ["$or"] = new BsonArray
            {
                new BsonDocument("owner", owner),
                new BsonDocument("$expr", new BsonDocument("$lte", new BsonArray { "$expires_at", "$$NOW" })),
            },
        };
        var take = new BsonDocumentStagePipelineDefinition<LeaseDocument, LeaseDocument>(
        [
            new BsonDocument("$set", new BsonDocument
            {
                ["owner"] = owner,
                ["expires_at"] = new BsonDocument("$add", new BsonArray { "$$NOW", (long)duration.TotalMilliseconds }),
            }),
        ]);
        try
        {
            await _leases.UpdateOneAsync(filter, Builders<LeaseDocument>.Update.Pipeline(take), new UpdateOptions { IsUpsert = true }, cancellationToken);
            return true;
        }
        catch (MongoWriteException ex) when (IsDuplicateKey(ex))
        {
            return false;
        }
    }

    public async Task ReleaseLeaseAsync(string lease, string owner, CancellationToken cancellationToken)
    {
        await indexes.WaitAsync(cancellationToken);
        await _leases.DeleteOneAsync(l => l.Name == lease && l.Owner == owner, cancellationToken);
    }

    public async Task<IReadOnlyList<RetentionCandidate>> FindRetentionDueAsync(RetentionStage stage, DateTimeOffset terminalBefore, int limit, CancellationToken cancellationToken)
    {
        await indexes.WaitAsync(cancellationToken);
        // Both values named for the delete stage, so that the retention index serves it as two ranges merged in order.
        bool[] compacted = stage == RetentionStage.Compact ? [false] : [false, true];
        var due = await _summaries.Find(Summary.In(w => w.Compacted, compacted) & Summary.Lt(w => w.TerminalAt, (DateTime?)terminalBefore.UtcDateTime),
                new FindOptions { Hint = Hint(MongoIndexes.RetentionIndex) })
            .Sort(Builders<WorkflowDocument>.Sort.Ascending(w => w.TerminalAt))
            .Limit(limit)
            .Project(w => new { w.Id, w.Version, w.TerminalAt })
            .ToListAsync(cancellationToken);
        return due.ConvertAll(w => new RetentionCandidate(w.Id, w.Version, new DateTimeOffset(w.TerminalAt!.Value, TimeSpan.Zero)));
    }

    public Task<RetentionResult> CompactAsync(IReadOnlyList<RetentionCandidate> workflows, CancellationToken cancellationToken) =>
        InBatchAsync(workflows,
            w => new DeleteManyModel<UpdateDocument>(Log.Eq(u => u.WorkflowId, w.WorkflowId) & Log.Lt(u => u.Version, w.LastVersion)),
            w => new UpdateOneModel<WorkflowDocument>(Summary.Eq(s => s.Id, w.WorkflowId), Builders<WorkflowDocument>.Update.Set(s => s.Compacted, true)),
            cancellationToken);

    public Task<RetentionResult> DeleteWorkflowsAsync(IReadOnlyList<RetentionCandidate> workflows, CancellationToken cancellationToken) =>
        InBatchAsync(workflows,
            w => new DeleteManyModel<UpdateDocument>(Log.Eq(u => u.WorkflowId, w.WorkflowId)),
            w => new DeleteOneModel<WorkflowDocument>(Summary.Eq(s => s.Id, w.WorkflowId)),
            cancellationToken);

    // Workflows with an unpublished entry wait (one query on the outbox index); the others' log deletes go in one bulk
    // write, then their summaries' changes in another: the log first, so that a sweep cut short leaves a summary that
    // the next sweep finds again, never log entries no summary leads to.
    private async Task<RetentionResult> InBatchAsync(
        IReadOnlyList<RetentionCandidate> workflows,
        Func<RetentionCandidate, WriteModel<UpdateDocument>> removeLog,
        Func<RetentionCandidate, WriteModel<WorkflowDocument>> changeSummary,
        CancellationToken cancellationToken)
    {
        if (workflows.Count == 0)
        {
            return default;
        }

        await indexes.WaitAsync(cancellationToken);
        var waiting = (await _log.Find(Log.Eq(u => u.Published, false) & Log.In(u => u.WorkflowId, workflows.Select(w => w.WorkflowId)),
                new FindOptions { Hint = Hint(MongoIndexes.OutboxIndex) })
            .Project(u => u.WorkflowId)
            .ToListAsync(cancellationToken)).ToHashSet(StringComparer.Ordinal);
        var ready = workflows.Where(w => !waiting.Contains(w.WorkflowId)).ToList();
        if (ready.Count == 0)
        {
            return new RetentionResult(0, 0, waiting.Count);
        }

        var removed = await _log.BulkWriteAsync(ready.Select(removeLog), new BulkWriteOptions { IsOrdered = false }, cancellationToken);
        await _summaries.BulkWriteAsync(ready.Select(changeSummary), new BulkWriteOptions { IsOrdered = false }, cancellationToken);
        return new RetentionResult(ready.Count, removed.DeletedCount, waiting.Count);
    }
}
