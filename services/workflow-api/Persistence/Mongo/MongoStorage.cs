using MongoDB.Bson;
using MongoDB.Driver;
using Vapora.Contracts;

namespace Vapora.WorkflowApi.Persistence.Mongo;

/// <summary>
/// The durable store: each primitive is one driver call (or two, where noted), with no workflow rules of its own.
/// Write concern majority with journal and read concern majority are set on the database (see
/// <see cref="MongoClientFactory"/>), so an acknowledged entry survives a crash and a failover, and no read serves
/// an entry that a failover could roll back. No multi-document transactions are used.
/// </summary>
/// <remarks>
/// Sharded (README "MongoDB"): the log on <c>{workflow_id: "hashed"}</c>, summaries and keys on <c>{_id: "hashed"}</c>.
/// Every call about one workflow or one key names its shard key and goes to one shard; the scans that serve background
/// work and lists (outbox, retention, <c>GET /api/workflows</c>) go to every shard, each on its own index, and mongos
/// merges them in order.
/// </remarks>
internal sealed partial class MongoStorage(IMongoDatabase database, MongoIndexes indexes, TimeProvider time) : IStoragePrimitives
{
    private readonly IMongoCollection<UpdateDocument> _log = database.GetCollection<UpdateDocument>(MongoIndexes.LogCollection);
    private readonly IMongoCollection<WorkflowDocument> _summaries = database.GetCollection<WorkflowDocument>(MongoIndexes.SummaryCollection);
    private readonly IMongoCollection<IdempotencyDocument> _keys = database.GetCollection<IdempotencyDocument>(MongoIndexes.KeyCollection);
    private readonly IMongoCollection<LeaseDocument> _leases = database.GetCollection<LeaseDocument>(MongoIndexes.LeaseCollection);

    private static FilterDefinitionBuilder<UpdateDocument> Log => Builders<UpdateDocument>.Filter;

    private static FilterDefinitionBuilder<WorkflowDocument> Summary => Builders<WorkflowDocument>.Filter;

    public async Task<bool> TryAppendAsync(LogEntry entry, CancellationToken cancellationToken)
    {
        await indexes.WaitAsync(cancellationToken);
        try
        {
            await _log.InsertOneAsync(UpdateDocument.From(entry, time.GetUtcNow().UtcDateTime), cancellationToken: cancellationToken);
            return true;
        }
        catch (MongoWriteException ex) when (IsDuplicateKey(ex))
        {
            return false; // The unique (workflow_id, version) index: another writer stored this version first.
        }
        catch (MongoWriteConcernException ex)
        {
            throw new StoreUnavailableException("append",
                $"MongoDB stored {entry.WorkflowId} v{entry.Version} on its primary, but a majority did not confirm it within "
                + $"{database.Settings.WriteConcern.WTimeout?.TotalSeconds:0.###} s: it may yet be committed (and then published by the outbox relay) "
                + "or be rolled back by a failover.", ex);
        }
    }

    public async Task<long> ReadNewestVersionAsync(string workflowId, CancellationToken cancellationToken)
    {
        await indexes.WaitAsync(cancellationToken);
        // Local, from the primary: every acknowledged entry is there, committed or about to be, also just after an election.
        var newest = await _log.WithReadConcern(ReadConcern.Local).Find(Log.Eq(u => u.WorkflowId, workflowId))
            .Sort(Builders<UpdateDocument>.Sort.Descending(u => u.Version))
            .Limit(1)
            .Project(u => u.Version)
            .FirstOrDefaultAsync(cancellationToken);
        return newest;
    }

    public async Task<LogEntry?> ReadLatestAsync(string workflowId, CancellationToken cancellationToken)
    {
        await indexes.WaitAsync(cancellationToken);
        var latest = await _log.Find(Log.Eq(u => u.WorkflowId, workflowId))
            .Sort(Builders<UpdateDocument>.Sort.Descending(u => u.Version))
            .Limit(1)
            .FirstOrDefaultAsync(cancellationToken);
        return latest?.ToEntry();
    }

    public async Task<IReadOnlyList<StoredUpdate>> ReadRangeAsync(string workflowId, long afterVersion, int limit, CancellationToken cancellationToken)
    {
        await indexes.WaitAsync(cancellationToken);
        var documents = await _log.Find(Log.Eq(u => u.WorkflowId, workflowId) & Log.Gt(u => u.Version, afterVersion))
            .Sort(Builders<UpdateDocument>.Sort.Ascending(u => u.Version))
            .Limit(limit)
            .ToListAsync(cancellationToken);
        return documents.ConvertAll(d => StoredUpdate.Decode(d.Payload));
    }

    public async Task<bool> UpsertSummaryAsync(LogEntry entry, CancellationToken cancellationToken)
    {
        await indexes.WaitAsync(cancellationToken);
        var update = entry.Update.Update;
        var filter = Summary.Eq(w => w.Id, entry.WorkflowId) & Summary.Lt(w => w.Version, entry.Version);
        var change = Builders<WorkflowDocument>.Update
            .Set(w => w.Version, update.Version)
            .Set(w => w.Status, update.Status.ToWireName())
            .Set(w => w.CurrentStep, update.CurrentStep)
            .Set(w => w.TotalSteps, update.TotalSteps)
            .Set(w => w.Message, update.Message)
            .Set(w => w.Timestamp, update.Timestamp.UtcDateTime)
            .Set(w => w.Compacted, false)
            .SetOnInsert(w => w.Name, entry.Name)
            .SetOnInsert(w => w.CreatedAt, entry.CreatedAt.UtcDateTime);
        // Absent, not null, while running: the retention index holds only documents that have it.
        change = update.Status.IsTerminal() ? change.Set(w => w.TerminalAt, update.Timestamp.UtcDateTime) : change.Unset(w => w.TerminalAt);
        var options = new UpdateOptions { IsUpsert = true };
        // Two tries: a duplicate key means a summary with this id exists but did not match "version < v". On the
        // first try it may have been inserted (at a lower version) by a racing writer since the filter ran; on the
        // second the summary surely existed when the filter ran, so it is at this version or beyond.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var result = await _summaries.UpdateOneAsync(filter, change, options, cancellationToken);
                return result.ModifiedCount > 0 || result.UpsertedId is not null;
            }
            catch (MongoWriteException ex) when (IsDuplicateKey(ex) && attempt < 2)
            {
            }
            catch (MongoWriteException ex) when (IsDuplicateKey(ex))
            {
                return false;
            }
        }
    }

    public async Task<IReadOnlyList<WorkflowState>> ListSummariesAsync(WorkflowStatus? status, string? beforeId, int limit, CancellationToken cancellationToken)
    {
        await indexes.WaitAsync(cancellationToken);
        var filter = Summary.Empty;
        if (status is { } s)
        {
            filter &= Summary.Eq(w => w.Status, s.ToWireName());
        }

        if (beforeId is not null)
        {
            filter &= Summary.Lt(w => w.Id, beforeId);
        }

        var documents = await _summaries.Find(filter)
            .Sort(Builders<WorkflowDocument>.Sort.Descending(w => w.Id))
            .Limit(limit)
            .ToListAsync(cancellationToken);
        return documents.ConvertAll(d => d.ToState());
    }

    public async Task<IReadOnlyList<LogEntry>> ScanUnpublishedAsync(DateTimeOffset acceptedBefore, int limit, CancellationToken cancellationToken)
    {
        await indexes.WaitAsync(cancellationToken);
        // Ordered by (workflow_id, version), not by accepted_at: replicas' clocks differ, and a batch smaller than the
        // backlog must still hold each workflow's oldest unpublished versions. Hinted, so the planner cannot pick the
        // unique index for its order and read the whole log.
        var options = new FindOptions { Hint = Hint(MongoIndexes.OutboxIndex) };
        var due = await _log.Find(UnpublishedBefore(acceptedBefore), options)
            .Sort(Builders<UpdateDocument>.Sort.Ascending(u => u.WorkflowId).Ascending(u => u.Version))
            .Limit(limit)
            .ToListAsync(cancellationToken);
        if (due.Count == 0)
        {
            return [];
        }

        // Lower versions of the same workflows that look not due yet: accepted earlier by a replica whose clock runs
        // ahead. They go first, so that no workflow's versions are published out of order. Usually none.
        var dueUpTo = due.GroupBy(d => d.WorkflowId).ToDictionary(g => g.Key, g => g.Max(d => d.Version), StringComparer.Ordinal);
        var earlier = await _log.Find(Log.Eq(u => u.Published, false) & Log.In(u => u.WorkflowId, dueUpTo.Keys)
                & Log.Gte(u => u.AcceptedAt, acceptedBefore.UtcDateTime), options)
            .ToListAsync(cancellationToken);
        return due.Concat(earlier.Where(e => e.Version < dueUpTo[e.WorkflowId]))
            .OrderBy(d => d.WorkflowId, StringComparer.Ordinal)
            .ThenBy(d => d.Version)
            .Take(limit)
            .Select(d => d.ToEntry())
            .ToList();
    }

    public async Task<OutboxBacklog> MeasureUnpublishedAsync(DateTimeOffset acceptedBefore, long cap, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(cap, 1); // A limit of 0 would mean "no limit" to MongoDB.
        await indexes.WaitAsync(cancellationToken);
        var filter = UnpublishedBefore(acceptedBefore);
        var count = await _log.CountDocumentsAsync(filter, new CountOptions { Limit = cap, Hint = Hint(MongoIndexes.OutboxAgeIndex) }, cancellationToken);
        if (count == 0)
        {
            return new OutboxBacklog(0, null);
        }

        // Not capped like the count: the partial "outbox_by_age" index gives the oldest in one index read.
        var oldest = await _log.Find(filter, new FindOptions { Hint = Hint(MongoIndexes.OutboxAgeIndex) })
            .Sort(Builders<UpdateDocument>.Sort.Ascending(u => u.AcceptedAt))
            .Limit(1)
            .FirstOrDefaultAsync(cancellationToken);
        return new OutboxBacklog(count, oldest is null ? null : new DateTimeOffset(oldest.AcceptedAt, TimeSpan.Zero));
    }

    public async Task MarkPublishedAsync(IReadOnlyCollection<UpdateKey> keys, CancellationToken cancellationToken)
    {
        if (keys.Count == 0)
        {
            return;
        }

        await indexes.WaitAsync(cancellationToken);
        var writes = keys.Select(key => new UpdateOneModel<UpdateDocument>(
            Log.Eq(u => u.WorkflowId, key.WorkflowId) & Log.Eq(u => u.Version, key.Version),
            Builders<UpdateDocument>.Update.Set(u => u.Published, true)));
        await _log.BulkWriteAsync(writes, new BulkWriteOptions { IsOrdered = false }, cancellationToken);
    }

    public bool IsUnavailable(Exception exception) => MongoErrors.IsOutage(exception);

    // The outbox: the partial "outbox_by_workflow_version" (scan) and "outbox_by_age" (measurement) indexes hold
    // exactly the unpublished entries.
    private static FilterDefinition<UpdateDocument> UnpublishedBefore(DateTimeOffset acceptedBefore) =>
        Log.Eq(u => u.Published, false) & Log.Lt(u => u.AcceptedAt, acceptedBefore.UtcDateTime);

    private static bool IsDuplicateKey(MongoWriteException ex) => ex.WriteError?.Category == ServerErrorCategory.DuplicateKey;

    // The index by name once built; none while it builds (a hint naming a missing index is an error).
    private BsonValue? Hint(string index) => indexes.IsBuilt(index) ? new BsonString(index) : null;
}
