using System.Collections.Concurrent;
using Vapora.Contracts;
using Vapora.WorkflowApi.Workflows;

namespace Vapora.WorkflowApi.Persistence;

/// <summary>
/// The embedded store: everything in this process's memory. Correct for one API process
/// (versions contiguous under concurrent requests), but not durable and not shared between replicas.
/// Chosen only when <c>Storage:Provider</c> is <c>memory</c>.
/// </summary>
public sealed class InMemoryWorkflowStore(TimeProvider time) : IWorkflowStore
{
    private readonly ConcurrentDictionary<string, Workflow> _workflows = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _idempotencyKeys = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<UpdateKey, PendingUpdate> _unpublished = new();

    /// <inheritdoc />
    public Task<CreateOutcome> CreateAsync(NewWorkflow workflow, CancellationToken cancellationToken)
    {
        if (workflow.IdempotencyKey is { } key)
        {
            // Keyed creates are serialized so a retry never sees a key without its workflow.
            lock (_idempotencyKeys)
            {
                return Task.FromResult(_idempotencyKeys.TryGetValue(key, out var existingId)
                    ? Replay(existingId, workflow.RequestFingerprint)
                    : Insert(workflow));
            }
        }

        return Task.FromResult(Insert(workflow));
    }

    private CreateOutcome Insert(NewWorkflow workflow)
    {
        var first = workflow.FirstUpdate();
        var record = new Workflow(workflow.Name, workflow.CreatedAt, workflow.RequestFingerprint, first);
        if (!_workflows.TryAdd(workflow.Id, record))
        {
            throw new InvalidOperationException($"Workflow id {workflow.Id} was generated twice.");
        }

        if (workflow.IdempotencyKey is { } key)
        {
            _idempotencyKeys[key] = workflow.Id;
        }

        _unpublished[new UpdateKey(workflow.Id, 1)] = new PendingUpdate(first, time.GetUtcNow());
        return new CreateOutcome.Created(record.State, first);
    }

    /// <inheritdoc />
    public Task<UpdateOutcome> UpdateAsync(string workflowId, WorkflowChange change, long? expectedVersion, CancellationToken cancellationToken)
    {
        if (!_workflows.TryGetValue(workflowId, out var record))
        {
            return Task.FromResult<UpdateOutcome>(new UpdateOutcome.NotFound());
        }

        lock (record)
        {
            var current = record.Latest.Update;
            if (expectedVersion is { } expected && expected != current.Version)
            {
                return Task.FromResult<UpdateOutcome>(new UpdateOutcome.VersionMismatch(current.Version));
            }

            var result = change.ApplyTo(current, time.GetUtcNow());
            if (result.Rejection is { } rejection)
            {
                return Task.FromResult<UpdateOutcome>(new UpdateOutcome.Rejected(rejection));
            }

            var stored = StoredUpdate.Encode(result.Update!);
            record.Append(stored);
            _unpublished[new UpdateKey(workflowId, stored.Update.Version)] = new PendingUpdate(stored, time.GetUtcNow());
            return Task.FromResult<UpdateOutcome>(new UpdateOutcome.Applied(record.State, stored));
        }
    }

    /// <inheritdoc />
    public Task<WorkflowState?> GetAsync(string workflowId, CancellationToken cancellationToken) =>
        Task.FromResult(_workflows.TryGetValue(workflowId, out var record) ? record.State : null);

    /// <inheritdoc />
    public Task<HistoryOutcome> GetHistoryAsync(string workflowId, long afterVersion, int limit, CancellationToken cancellationToken)
    {
        if (!_workflows.TryGetValue(workflowId, out var record))
        {
            return Task.FromResult<HistoryOutcome>(new HistoryOutcome.NotFound());
        }

        lock (record)
        {
            // Version v sits at index v - 1.
            var start = (int)Math.Clamp(afterVersion, 0, record.Log.Count);
            var count = Math.Min(limit, record.Log.Count - start);
            return Task.FromResult<HistoryOutcome>(new HistoryOutcome.Found(record.Log.GetRange(start, count)));
        }
    }

    /// <inheritdoc />
    public Task<StoredPage> ListAsync(WorkflowStatus? status, string? cursor, int limit, CancellationToken cancellationToken)
    {
        // Ids are ULID-based and so sort by creation time; newest first.
        var page = _workflows
            .Where(pair => cursor is null || string.CompareOrdinal(pair.Key, cursor) < 0)
            .Select(pair => pair.Value.State)
            .Where(state => status is null || state.Status == status)
            .OrderByDescending(state => state.WorkflowId, StringComparer.Ordinal)
            .Take(limit + 1)
            .ToList();
        var next = page.Count > limit ? page[limit - 1].WorkflowId : null;
        if (page.Count > limit)
        {
            page.RemoveAt(limit);
        }

        return Task.FromResult(new StoredPage(page, next));
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<StoredUpdate>> GetUnpublishedAsync(DateTimeOffset acceptedBefore, int limit, CancellationToken cancellationToken)
    {
        IReadOnlyList<StoredUpdate> due = _unpublished.Values
            .Where(p => p.AcceptedAt < acceptedBefore)
            .Select(p => p.Update)
            .OrderBy(u => u.Update.WorkflowId, StringComparer.Ordinal)
            .ThenBy(u => u.Update.Version)
            .Take(limit)
            .ToList();
        return Task.FromResult(due);
    }

    /// <inheritdoc />
    public Task MarkPublishedAsync(IReadOnlyCollection<UpdateKey> updates, CancellationToken cancellationToken)
    {
        foreach (var key in updates)
        {
            _unpublished.TryRemove(key, out _);
        }

        return Task.CompletedTask;
    }

    private CreateOutcome Replay(string existingId, string? fingerprint)
    {
        var existing = _workflows[existingId];
        if (existing.RequestFingerprint != fingerprint)
        {
            return new CreateOutcome.KeyReused(existingId);
        }

        lock (existing)
        {
            return new CreateOutcome.Replayed(WorkflowState.From(existing.Log[0].Update, existing.Name, existing.CreatedAt));
        }
    }

    private sealed record PendingUpdate(StoredUpdate Update, DateTimeOffset AcceptedAt);

    private sealed class Workflow(string name, DateTimeOffset createdAt, string? requestFingerprint, StoredUpdate first)
    {
        public string Name { get; } = name;
        public DateTimeOffset CreatedAt { get; } = createdAt;
        public string? RequestFingerprint { get; } = requestFingerprint;
        public List<StoredUpdate> Log { get; } = [first];
        public StoredUpdate Latest => Log[^1];

        // Rebuilt on every append, so readers get a consistent snapshot without taking the lock.
        public WorkflowState State { get; private set; } = WorkflowState.From(first.Update, name, createdAt);

        public void Append(StoredUpdate update)
        {
            Log.Add(update);
            State = WorkflowState.From(update.Update, Name, CreatedAt);
        }
    }
}
