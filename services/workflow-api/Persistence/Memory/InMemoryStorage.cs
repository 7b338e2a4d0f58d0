using System.Collections.Concurrent;
using Vapora.Contracts;
using Vapora.WorkflowApi.Internal;

namespace Vapora.WorkflowApi.Persistence.Memory;

/// <summary>
/// Everything in this process's memory: correct for one API process, but not durable and not shared between
/// replicas. Chosen only by <c>Storage:Provider=memory</c>, and said loudly at start. Bounded like the durable stores:
/// the retention sweep compacts and deletes terminal workflows and expired keys here too.
/// </summary>
public sealed partial class InMemoryStorage : IStoragePrimitives
{
    private readonly ConcurrentDictionary<string, WorkflowLog> _logs = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Summary> _summaries = new(StringComparer.Ordinal);
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
        var log = _logs.GetOrAdd(entry.WorkflowId, _ => new WorkflowLog());
        lock (log)
        {
            // Taken, or compacted away (below the first version kept): either way not this writer's to store.
            if (entry.Version < log.Next)
            {
                return Task.FromResult(false);
            }

            if (entry.Version != log.Next)
            {
                throw new InvalidOperationException($"Appending {entry.WorkflowId} v{entry.Version} after v{log.Next - 1} would leave a gap.");
            }

            log.Entries.Add(entry);
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
            return Task.FromResult(log.Entries.Count == 0 ? null : log.Entries[^1]);
        }
    }

    /// <inheritdoc />
    public async Task<long> ReadNewestVersionAsync(string workflowId, CancellationToken cancellationToken) =>
        (await ReadLatestAsync(workflowId, cancellationToken))?.Version ?? 0;

    /// <inheritdoc />
    public Task<IReadOnlyList<StoredUpdate>> ReadRangeAsync(string workflowId, long afterVersion, int limit, CancellationToken cancellationToken)
    {
        if (!_logs.TryGetValue(workflowId, out var log))
        {
            return Task.FromResult<IReadOnlyList<StoredUpdate>>([]);
        }

        lock (log)
        {
            // Version v sits at index v - First.
            var start = (int)Math.Clamp(afterVersion + 1 - log.First, 0, log.Entries.Count);
            return Task.FromResult<IReadOnlyList<StoredUpdate>>(
                log.Entries.GetRange(start, Math.Min(limit, log.Entries.Count - start)).ConvertAll(e => e.Update));
        }
    }

    /// <inheritdoc />
    public Task<bool> UpsertSummaryAsync(LogEntry entry, CancellationToken cancellationToken)
    {
        var summary = Summary.Of(entry);
        while (true)
        {
            if (!_summaries.TryGetValue(entry.WorkflowId, out var current))
            {
                if (_summaries.TryAdd(entry.WorkflowId, summary))
                {
                    return Task.FromResult(true);
                }
            }
            else if (current.State.Version >= entry.Version)
            {
                return Task.FromResult(false);
            }
            else if (_summaries.TryUpdate(entry.WorkflowId, summary, current))
            {
                return Task.FromResult(true);
            }
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<WorkflowState>> ListSummariesAsync(WorkflowStatus? status, string? beforeId, int limit, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<WorkflowState>>(_summaries.Values
            .Select(s => s.State)
            .Where(s => (status is null || s.Status == status) && (beforeId is null || string.CompareOrdinal(s.WorkflowId, beforeId) < 0))
            .OrderByDescending(s => s.WorkflowId, StringComparer.Ordinal)
            .Take(limit)
            .ToList());

    /// <inheritdoc />
    public Task<IReadOnlyList<LogEntry>> ScanUnpublishedAsync(DateTimeOffset acceptedBefore, int limit, CancellationToken cancellationToken)
    {
        var unpublished = _outbox.Values.ToList();
        // Per workflow, the highest version accepted before the time: it and every unpublished version below it are due.
        var dueUpTo = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var u in unpublished.Where(u => u.AcceptedAt < acceptedBefore))
        {
            dueUpTo[u.Entry.WorkflowId] = Math.Max(dueUpTo.GetValueOrDefault(u.Entry.WorkflowId), u.Entry.Version);
        }

        return Task.FromResult<IReadOnlyList<LogEntry>>(unpublished
            .Select(u => u.Entry)
            .Where(e => dueUpTo.TryGetValue(e.WorkflowId, out var upTo) && e.Version <= upTo)
            .OrderBy(e => e.WorkflowId, StringComparer.Ordinal)
            .ThenBy(e => e.Version)
            .Take(limit)
            .ToList());
    }

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
    public bool IsUnavailable(Exception exception) => false;

    private sealed record Unpublished(LogEntry Entry, DateTimeOffset AcceptedAt);

    // A workflow's log from its first kept version on (1 until compaction cuts it to its last); locked while used.
    private sealed class WorkflowLog
    {
        public long First { get; set; } = 1;

        public List<LogEntry> Entries { get; } = [];

        public long Next => First + Entries.Count;
    }

    // What the list shows, and what retention needs: when the workflow ended, and whether its log was cut.
    private sealed record Summary(WorkflowState State, DateTimeOffset? TerminalAt, bool Compacted)
    {
        public static Summary Of(LogEntry entry) =>
            new(entry.ToState(), entry.Update.Update.Status.IsTerminal() ? entry.Update.Update.Timestamp : null, Compacted: false);
    }
}
