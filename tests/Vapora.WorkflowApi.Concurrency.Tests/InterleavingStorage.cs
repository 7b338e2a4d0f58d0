using System.Collections.Concurrent;
using Microsoft.Coyote.Runtime;
using Vapora.Contracts;
using Vapora.WorkflowApi.Persistence;

namespace Vapora.WorkflowApi.Concurrency.Tests;

/// <summary>
/// Passes every primitive to the store under test with a Coyote scheduling point before it (and one where its result
/// is awaited), so that any other operation may run between two primitives of one write. A primitive itself runs alone: each is atomic by
/// the store contract (which the contract suite tests with real threads), and SQLite's own locks cannot be waited on
/// by operations Coyote runs one at a time. It also watches the summaries: after each summary write it reads the
/// workflow's summary, which must never go back.
/// </summary>
internal sealed class InterleavingStorage(IStoragePrimitives inner) : IStoragePrimitives
{
    private readonly ConcurrentDictionary<string, long> _summarySeen = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _oneAtATime = new(1, 1);

    /// <summary>Summaries seen to move back (workflow, from, to); empty while the invariant holds.</summary>
    public ConcurrentQueue<string> SummaryRegressions { get; } = new();

    public Task<bool> TryAppendAsync(LogEntry entry, CancellationToken cancellationToken) => Around(() => inner.TryAppendAsync(entry, cancellationToken));

    public Task<LogEntry?> ReadLatestAsync(string workflowId, CancellationToken cancellationToken) =>
        Around(() => inner.ReadLatestAsync(workflowId, cancellationToken));

    public Task<IReadOnlyList<StoredUpdate>> ReadRangeAsync(string workflowId, long afterVersion, int limit, CancellationToken cancellationToken) =>
        Around(() => inner.ReadRangeAsync(workflowId, afterVersion, limit, cancellationToken));

    public Task<bool> UpsertSummaryAsync(LogEntry entry, CancellationToken cancellationToken) => Around(async () =>
    {
        var moved = await inner.UpsertSummaryAsync(entry, cancellationToken);
        var summary = (await inner.ListSummariesAsync(null, null, 1000, CancellationToken.None)).Single(s => s.WorkflowId == entry.WorkflowId);
        var before = _summarySeen.GetOrAdd(entry.WorkflowId, 0);
        if (summary.Version < before)
        {
            SummaryRegressions.Enqueue($"{entry.WorkflowId}: v{before} -> v{summary.Version}");
        }

        _summarySeen[entry.WorkflowId] = Math.Max(before, summary.Version);
        return moved;
    });

    public Task<IReadOnlyList<WorkflowState>> ListSummariesAsync(WorkflowStatus? status, string? beforeId, int limit, CancellationToken cancellationToken) =>
        Around(() => inner.ListSummariesAsync(status, beforeId, limit, cancellationToken));

    public Task<IReadOnlyList<LogEntry>> ScanUnpublishedAsync(DateTimeOffset acceptedBefore, int limit, CancellationToken cancellationToken) =>
        Around(() => inner.ScanUnpublishedAsync(acceptedBefore, limit, cancellationToken));

    public Task<OutboxBacklog> MeasureUnpublishedAsync(DateTimeOffset acceptedBefore, long cap, CancellationToken cancellationToken) =>
        Around(() => inner.MeasureUnpublishedAsync(acceptedBefore, cap, cancellationToken));

    public Task MarkPublishedAsync(IReadOnlyCollection<UpdateKey> keys, CancellationToken cancellationToken) => Around(async () =>
    {
        await inner.MarkPublishedAsync(keys, cancellationToken);
        return true;
    });

    public Task<long> ReadNewestVersionAsync(string workflowId, CancellationToken cancellationToken) =>
        Around(() => inner.ReadNewestVersionAsync(workflowId, cancellationToken));

    public Task<IdempotencyClaim?> FindIdempotencyClaimAsync(SubjectKey key, DateTimeOffset now, CancellationToken cancellationToken) =>
        Around(() => inner.FindIdempotencyClaimAsync(key, now, cancellationToken));

    public Task<IdempotencyClaim> ClaimIdempotencyKeyAsync(IdempotencyClaim claim, DateTimeOffset now, CancellationToken cancellationToken) =>
        Around(() => inner.ClaimIdempotencyKeyAsync(claim, now, cancellationToken));

    public Task<bool> ReplanIdempotencyClaimAsync(IdempotencyClaim current, LogEntry next, CancellationToken cancellationToken) =>
        Around(() => inner.ReplanIdempotencyClaimAsync(current, next, cancellationToken));

    public Task<long> DeleteExpiredIdempotencyKeysAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken) =>
        Around(() => inner.DeleteExpiredIdempotencyKeysAsync(now, limit, cancellationToken));

    public Task<bool> TryAcquireLeaseAsync(string lease, string owner, TimeSpan duration, CancellationToken cancellationToken) =>
        Around(() => inner.TryAcquireLeaseAsync(lease, owner, duration, cancellationToken));

    public Task ReleaseLeaseAsync(string lease, string owner, CancellationToken cancellationToken) => Around(async () =>
    {
        await inner.ReleaseLeaseAsync(lease, owner, cancellationToken);
        return true;
    });

    public Task<IReadOnlyList<RetentionCandidate>> FindRetentionDueAsync(RetentionStage stage, DateTimeOffset terminalBefore, int limit, CancellationToken cancellationToken) =>
        Around(() => inner.FindRetentionDueAsync(stage, terminalBefore, limit, cancellationToken));

    public Task<RetentionResult> CompactAsync(IReadOnlyList<RetentionCandidate> workflows, CancellationToken cancellationToken) =>
        Around(() => inner.CompactAsync(workflows, cancellationToken));

    public Task<RetentionResult> DeleteWorkflowsAsync(IReadOnlyList<RetentionCandidate> workflows, CancellationToken cancellationToken) =>
        Around(() => inner.DeleteWorkflowsAsync(workflows, cancellationToken));

    public bool IsUnavailable(Exception exception) => inner.IsUnavailable(exception);

    private async Task<T> Around<T>(Func<Task<T>> call)
    {
        SchedulingPoint.Interleave();
        T result;
        await _oneAtATime.WaitAsync();
        try
        {
            result = await call();
        }
        finally
        {
            _oneAtATime.Release();
        }

        return result;
    }
}
