using System.Collections.Concurrent;
using Vapora.Contracts;
using Vapora.WorkflowApi.Internal;

namespace Vapora.WorkflowApi.Persistence.Memory;

/// <summary>
/// Everything in this process's memory: correct for one API process, but not durable and not shared between
/// replicas. Chosen only by <c>Storage:Provider=memory</c>, and said loudly at start.
/// </summary>
public sealed class InMemoryStorage : IStoragePrimitives
{
    private readonly ConcurrentDictionary<string, List<LogEntry>> _logs = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, WorkflowState> _summaries = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, IdempotencyClaim> _keys = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<UpdateKey, Unpublished> _outbox = new();
    private readonly TimeProvider _time;

    /// <summary>Creates an empty store.</summary>
    public InMemoryStorage(TimeProvider time, ILogger<InMemoryStorage> logger)
    {
        _time = time;
        ApiLog.InMemoryStore(logger);
    }

    /// <inheritdoc />
    public Task<bool> TryAppendAsync(LogEntry entry, CancellationToken cancellationToken)
    {
        var log = _logs.GetOrAdd(entry.WorkflowId, _ => []);
        lock (log)
        {
            // Version v sits at index v - 1.
            if (entry.Version <= log.Count)
            {
                return Task.FromResult(false);
            }

            if (entry.Version != log.Count + 1)
            {
                throw new InvalidOperationException($"Appending {entry.WorkflowId} v{entry.Version} after v{log.Count} would leave a gap.");
            }

            log.Add(entry);
            _outbox[entry.Key] = new Unpublished(entry, _time.GetUtcNow());
            return Task.FromResult(true);
        }
    }

    /// <inheritdoc />
    public Task<LogEntry?> ReadLatestAsync(string workflowId, CancellationToken cancellationToken)
    {
        if (!_logs.TryGetValue(workflowId, out var log))
        {
            return Task.FromResult<LogEntry?>(null);
        }

        lock (log)
        {
            return Task.FromResult(log.Count == 0 ? null : log[^1]);
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<StoredUpdate>> ReadRangeAsync(string workflowId, long afterVersion, int limit, CancellationToken cancellationToken)
    {
        if (!_logs.TryGetValue(workflowId, out var log))
        {
            return Task.FromResult<IReadOnlyList<StoredUpdate>>([]);
        }

        lock (log)
        {
            var start = (int)Math.Clamp(afterVersion, 0, log.Count);
            return Task.FromResult<IReadOnlyList<StoredUpdate>>(log.GetRange(start, Math.Min(limit, log.Count - start)).ConvertAll(e => e.Update));
        }
    }

    /// <inheritdoc />
    public Task<bool> UpsertSummaryAsync(LogEntry entry, CancellationToken cancellationToken)
    {
        var state = entry.ToState();
        while (true)
        {
            if (!_summaries.TryGetValue(entry.WorkflowId, out var current))
            {
                if (_summaries.TryAdd(entry.WorkflowId, state))
                {
                    return Task.FromResult(true);
                }
            }
            else if (current.Version >= entry.Version)
            {
                return Task.FromResult(false);
            }
            else if (_summaries.TryUpdate(entry.WorkflowId, state, current))
            {
                return Task.FromResult(true);
            }
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<WorkflowState>> ListSummariesAsync(WorkflowStatus? status, string? beforeId, int limit, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<WorkflowState>>(_summaries.Values
            .Where(s => (status is null || s.Status == status) && (beforeId is null || string.CompareOrdinal(s.WorkflowId, beforeId) < 0))
            .OrderByDescending(s => s.WorkflowId, StringComparer.Ordinal)
            .Take(limit)
            .ToList());

    /// <inheritdoc />
    public Task<IReadOnlyList<LogEntry>> ScanUnpublishedAsync(DateTimeOffset acceptedBefore, int limit, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<LogEntry>>(_outbox.Values
            .Where(u => u.AcceptedAt < acceptedBefore)
            .Select(u => u.Entry)
            .OrderBy(e => e.WorkflowId, StringComparer.Ordinal)
            .ThenBy(e => e.Version)
            .Take(limit)
            .ToList());

    /// <inheritdoc />
    public Task<OutboxBacklog> MeasureUnpublishedAsync(DateTimeOffset acceptedBefore, long cap, CancellationToken cancellationToken)
    {
        // One pass over one snapshot, so the count and the oldest describe the same entries.
        long count = 0;
        DateTimeOffset? oldest = null;
        foreach (var unpublished in _outbox.Values)
        {
            if (unpublished.AcceptedAt < acceptedBefore)
            {
                count++;
                oldest = oldest is { } o && o <= unpublished.AcceptedAt ? o : unpublished.AcceptedAt;
            }
        }

        return Task.FromResult(new OutboxBacklog(Math.Min(cap, count), oldest));
    }

    /// <inheritdoc />
    public Task MarkPublishedAsync(IReadOnlyCollection<UpdateKey> keys, CancellationToken cancellationToken)
    {
        foreach (var key in keys)
        {
            _outbox.TryRemove(key, out _);
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<IdempotencyClaim> ClaimIdempotencyKeyAsync(IdempotencyClaim claim, CancellationToken cancellationToken) =>
        Task.FromResult(_keys.GetOrAdd(claim.Key, claim));

    /// <inheritdoc />
    public bool IsUnavailable(Exception exception) => false;

    private sealed record Unpublished(LogEntry Entry, DateTimeOffset AcceptedAt);
}
