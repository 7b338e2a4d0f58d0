using System.Text.Json;
using Microsoft.Extensions.Options;
using MongoDB.Driver;
using Vapora.Contracts;
using Vapora.WorkflowApi.Workflows;

namespace Vapora.WorkflowApi.Persistence.Mongo;

/// <summary>
/// The durable store. The update log (<c>workflow_updates</c>) is the source of truth; a writer reads the
/// latest entry (sorted find), computes the next version and inserts it, and the unique index on
/// (workflow_id, version) lets exactly one concurrent writer win each version; losers re-read and retry.
/// No multi-document transactions are needed, so a standalone mongod works as well as a replica set.
/// </summary>
internal sealed class MongoWorkflowStore : IWorkflowStore
{
    private readonly IMongoCollection<UpdateDocument> _updates;
    private readonly IMongoCollection<WorkflowDocument> _workflows;
    private readonly MongoIndexes _indexes;
    private readonly TimeProvider _time;
    private readonly int _maxWriteAttempts;

    public MongoWorkflowStore(IMongoDatabase database, MongoIndexes indexes, TimeProvider time, IOptions<MongoStoreOptions> options)
    {
        _updates = database.GetCollection<UpdateDocument>(MongoIndexes.UpdatesCollection);
        _workflows = database.GetCollection<WorkflowDocument>(MongoIndexes.WorkflowsCollection);
        _indexes = indexes;
        _time = time;
        _maxWriteAttempts = options.Value.MaxWriteAttempts;
    }

    private static FilterDefinitionBuilder<UpdateDocument> UpdateFilter => Builders<UpdateDocument>.Filter;

    private static FilterDefinitionBuilder<WorkflowDocument> WorkflowFilter => Builders<WorkflowDocument>.Filter;

    public async Task<CreateOutcome> CreateAsync(NewWorkflow workflow, CancellationToken cancellationToken)
    {
        await _indexes.WaitAsync(cancellationToken);
        if (workflow.IdempotencyKey is { } key && await FindByKeyAsync(key, cancellationToken) is { } earlier)
        {
            return Replay(earlier, workflow.RequestFingerprint);
        }

        var first = workflow.FirstUpdate();
        var document = ToDocument(first);
        document.Name = workflow.Name;
        document.CreatedAt = workflow.CreatedAt.UtcDateTime;
        document.IdempotencyKey = workflow.IdempotencyKey;
        document.RequestFingerprint = workflow.RequestFingerprint;
        try
        {
            await _updates.InsertOneAsync(document, cancellationToken: cancellationToken);
        }
        catch (MongoWriteException ex) when (IsDuplicateKey(ex) && workflow.IdempotencyKey is { } raced)
        {
            // Another request with the same key won the race.
            var winner = await FindByKeyAsync(raced, cancellationToken)
                ?? throw new InvalidOperationException("Duplicate idempotency key without a matching log entry.", ex);
            return Replay(winner, workflow.RequestFingerprint);
        }

        var state = WorkflowState.From(first.Update, workflow.Name, workflow.CreatedAt);
        await InsertSummaryAsync(state, cancellationToken);
        return new CreateOutcome.Created(state, first);
    }

    public async Task<UpdateOutcome> UpdateAsync(string workflowId, WorkflowChange change, long? expectedVersion, CancellationToken cancellationToken)
    {
        await _indexes.WaitAsync(cancellationToken);
        for (var attempt = 1; attempt <= _maxWriteAttempts; attempt++)
        {
            var latest = await FindLatestAsync(workflowId, cancellationToken);
            if (latest is null)
            {
                return new UpdateOutcome.NotFound();
            }

            var current = Decode(latest.Payload);
            if (expectedVersion is { } expected && expected != current.Version)
            {
                return new UpdateOutcome.VersionMismatch(current.Version);
            }

            var result = change.ApplyTo(current, _time.GetUtcNow());
            if (result.Rejection is { } rejection)
            {
                return new UpdateOutcome.Rejected(rejection);
            }

            var stored = StoredUpdate.Encode(result.Update!);
            try
            {
                await _updates.InsertOneAsync(ToDocument(stored), cancellationToken: cancellationToken);
            }
            catch (MongoWriteException ex) when (IsDuplicateKey(ex))
            {
                // Another writer took this version: re-read and apply the change on top of theirs.
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(0, Math.Min(attempt, 10) + 1)), _time, cancellationToken);
                continue;
            }

            var summary = await MoveSummaryForwardAsync(stored.Update, cancellationToken);
            var (name, createdAt) = summary is not null
                ? (summary.Name, new DateTimeOffset(summary.CreatedAt, TimeSpan.Zero))
                : await GetCreationFieldsAsync(workflowId, cancellationToken);
            return new UpdateOutcome.Applied(WorkflowState.From(stored.Update, name, createdAt), stored);
        }

        return new UpdateOutcome.Contended();
    }

    public async Task<WorkflowState?> GetAsync(string workflowId, CancellationToken cancellationToken)
    {
        await _indexes.WaitAsync(cancellationToken);
        var latest = await FindLatestAsync(workflowId, cancellationToken);
        if (latest is null)
        {
            return null;
        }

        var (name, createdAt) = await GetCreationFieldsAsync(workflowId, cancellationToken);
        return WorkflowState.From(Decode(latest.Payload), name, createdAt);
    }

    public async Task<HistoryOutcome> GetHistoryAsync(string workflowId, long afterVersion, int limit, CancellationToken cancellationToken)
    {
        await _indexes.WaitAsync(cancellationToken);
        var documents = await _updates
            .Find(UpdateFilter.Eq(u => u.WorkflowId, workflowId) & UpdateFilter.Gt(u => u.Version, afterVersion))
            .Sort(Builders<UpdateDocument>.Sort.Ascending(u => u.Version))
            .Limit(limit)
            .ToListAsync(cancellationToken);
        if (documents.Count == 0 && await FindLatestAsync(workflowId, cancellationToken) is null)
        {
            return new HistoryOutcome.NotFound();
        }

        return new HistoryOutcome.Found(documents.ConvertAll(d => new StoredUpdate(Decode(d.Payload), d.Payload)));
    }

    public async Task<StoredPage> ListAsync(WorkflowStatus? status, string? cursor, int limit, CancellationToken cancellationToken)
    {
        await _indexes.WaitAsync(cancellationToken);
        var filter = WorkflowFilter.Empty;
        if (status is { } s)
        {
            filter &= WorkflowFilter.Eq(w => w.Status, s.ToWireName());
        }

        if (cursor is not null)
        {
            filter &= WorkflowFilter.Lt(w => w.Id, cursor);
        }

        var documents = await _workflows
            .Find(filter)
            .Sort(Builders<WorkflowDocument>.Sort.Descending(w => w.Id))
            .Limit(limit + 1)
            .ToListAsync(cancellationToken);
        var next = documents.Count > limit ? documents[limit - 1].Id : null;
        var items = documents.Take(limit).Select(ToState).ToList();
        return new StoredPage(items, next);
    }

    public async Task<IReadOnlyList<StoredUpdate>> GetUnpublishedAsync(DateTimeOffset acceptedBefore, int limit, CancellationToken cancellationToken)
    {
        await _indexes.WaitAsync(cancellationToken);
        var documents = await _updates
            .Find(UpdateFilter.Eq(u => u.Published, false) & UpdateFilter.Lt(u => u.AcceptedAt, acceptedBefore.UtcDateTime))
            .Sort(Builders<UpdateDocument>.Sort.Ascending(u => u.AcceptedAt))
            .Limit(limit)
            .ToListAsync(cancellationToken);

        var due = new List<StoredUpdate>(documents.Count);
        foreach (var document in documents.OrderBy(d => d.WorkflowId, StringComparer.Ordinal).ThenBy(d => d.Version))
        {
            var update = Decode(document.Payload);
            // The writer of an unpublished update may have died before moving the summary; do it for them.
            if (document.Version == 1 && document.Name is not null)
            {
                await InsertSummaryAsync(WorkflowState.From(update, document.Name, new DateTimeOffset(document.CreatedAt ?? document.AcceptedAt, TimeSpan.Zero)), cancellationToken);
            }
            else
            {
                await MoveSummaryForwardAsync(update, cancellationToken);
            }

            due.Add(new StoredUpdate(update, document.Payload));
        }

        return due;
    }

    public async Task MarkPublishedAsync(IReadOnlyCollection<UpdateKey> updates, CancellationToken cancellationToken)
    {
        if (updates.Count == 0)
        {
            return;
        }

        await _indexes.WaitAsync(cancellationToken);
        var writes = updates.Select(key => new UpdateOneModel<UpdateDocument>(
            UpdateFilter.Eq(u => u.WorkflowId, key.WorkflowId) & UpdateFilter.Eq(u => u.Version, key.Version),
            Builders<UpdateDocument>.Update.Set(u => u.Published, true)));
        await _updates.BulkWriteAsync(writes, new BulkWriteOptions { IsOrdered = false }, cancellationToken);
    }

    private Task<UpdateDocument?> FindLatestAsync(string workflowId, CancellationToken cancellationToken) =>
        _updates
            .Find(UpdateFilter.Eq(u => u.WorkflowId, workflowId))
            .Sort(Builders<UpdateDocument>.Sort.Descending(u => u.Version))
            .Limit(1)
            .FirstOrDefaultAsync(cancellationToken)!;

    private Task<UpdateDocument?> FindByKeyAsync(string idempotencyKey, CancellationToken cancellationToken) =>
        _updates.Find(UpdateFilter.Eq(u => u.IdempotencyKey, idempotencyKey)).FirstOrDefaultAsync(cancellationToken)!;

    private async Task<(string Name, DateTimeOffset CreatedAt)> GetCreationFieldsAsync(string workflowId, CancellationToken cancellationToken)
    {
        var summary = await _workflows.Find(WorkflowFilter.Eq(w => w.Id, workflowId)).FirstOrDefaultAsync(cancellationToken);
        if (summary is not null)
        {
            return (summary.Name, new DateTimeOffset(summary.CreatedAt, TimeSpan.Zero));
        }

        var first = await _updates
            .Find(UpdateFilter.Eq(u => u.WorkflowId, workflowId) & UpdateFilter.Eq(u => u.Version, 1))
            .FirstOrDefaultAsync(cancellationToken)
            ?? throw new InvalidOperationException($"Workflow {workflowId} has log entries but no version 1.");
        return (first.Name ?? string.Empty, new DateTimeOffset(first.CreatedAt ?? first.AcceptedAt, TimeSpan.Zero));
    }

    /// <summary>Moves the summary to this update unless it is already there or further.</summary>
    private Task<WorkflowDocument?> MoveSummaryForwardAsync(WorkflowUpdate update, CancellationToken cancellationToken) =>
        _workflows.FindOneAndUpdateAsync(
            WorkflowFilter.Eq(w => w.Id, update.WorkflowId) & WorkflowFilter.Lt(w => w.Version, update.Version),
            Builders<WorkflowDocument>.Update
                .Set(w => w.Version, update.Version)
                .Set(w => w.Status, update.Status.ToWireName())
                .Set(w => w.CurrentStep, update.CurrentStep)
                .Set(w => w.TotalSteps, update.TotalSteps)
                .Set(w => w.Message, update.Message)
                .Set(w => w.Timestamp, update.Timestamp.UtcDateTime),
            new FindOneAndUpdateOptions<WorkflowDocument> { ReturnDocument = ReturnDocument.After },
            cancellationToken)!;

    private async Task InsertSummaryAsync(WorkflowState state, CancellationToken cancellationToken)
    {
        try
        {
            await _workflows.InsertOneAsync(new WorkflowDocument
            {
                Id = state.WorkflowId,
                Name = state.Name,
                CreatedAt = state.CreatedAt.UtcDateTime,
                Version = state.Version,
                Status = state.Status.ToWireName(),
                CurrentStep = state.CurrentStep,
                TotalSteps = state.TotalSteps,
                Message = state.Message,
                Timestamp = state.Timestamp.UtcDateTime,
            }, cancellationToken: cancellationToken);
        }
        catch (MongoWriteException ex) when (IsDuplicateKey(ex))
        {
            // Already there (a retry or the relay got there first).
        }
    }

    private CreateOutcome Replay(UpdateDocument first, string? fingerprint) =>
        first.RequestFingerprint != fingerprint
            ? new CreateOutcome.KeyReused(first.WorkflowId)
            : new CreateOutcome.Replayed(WorkflowState.From(
                Decode(first.Payload), first.Name ?? string.Empty, new DateTimeOffset(first.CreatedAt ?? first.AcceptedAt, TimeSpan.Zero)));

    private UpdateDocument ToDocument(StoredUpdate stored) => new()
    {
        WorkflowId = stored.Update.WorkflowId,
        Version = stored.Update.Version,
        Payload = stored.Json.ToArray(),
        Published = false,
        AcceptedAt = _time.GetUtcNow().UtcDateTime,
    };

    private static WorkflowState ToState(WorkflowDocument d) => new()
    {
        WorkflowId = d.Id,
        Version = d.Version,
        Status = WorkflowStatusRules.TryParseWireName(d.Status, out var status) ? status : WorkflowStatus.Pending,
        CurrentStep = d.CurrentStep,
        TotalSteps = d.TotalSteps,
        Message = d.Message,
        Timestamp = new DateTimeOffset(d.Timestamp, TimeSpan.Zero),
        Name = d.Name,
        CreatedAt = new DateTimeOffset(d.CreatedAt, TimeSpan.Zero),
    };

    private static WorkflowUpdate Decode(byte[] payload) =>
        JsonSerializer.Deserialize(payload, VaporaJsonContext.Default.WorkflowUpdate)
        ?? throw new InvalidOperationException("A stored update payload is empty.");

    private static bool IsDuplicateKey(MongoWriteException ex) => ex.WriteError?.Category == ServerErrorCategory.DuplicateKey;
}
