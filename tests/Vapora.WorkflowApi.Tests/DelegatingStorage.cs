using Vapora.Contracts;
using Vapora.WorkflowApi.Persistence;

namespace Vapora.WorkflowApi.Tests;

/// <summary>Passes every call to another storage; tests override the calls whose failure or timing they need.</summary>
internal abstract class DelegatingStorage(IStoragePrimitives inner) : IStoragePrimitives
{
    public virtual Task<bool> TryAppendAsync(LogEntry entry, CancellationToken cancellationToken) => inner.TryAppendAsync(entry, cancellationToken);

    public virtual Task<LogEntry?> ReadLatestAsync(string workflowId, CancellationToken cancellationToken) => inner.ReadLatestAsync(workflowId, cancellationToken);

    public virtual Task<long> ReadNewestVersionAsync(string workflowId, CancellationToken cancellationToken) => inner.ReadNewestVersionAsync(workflowId, cancellationToken);

    public Task<IReadOnlyList<StoredUpdate>> ReadRangeAsync(string workflowId, long afterVersion, int limit, CancellationToken cancellationToken) =>
        inner.ReadRangeAsync(workflowId, afterVersion, limit, cancellationToken);

    public virtual Task<bool> UpsertSummaryAsync(LogEntry entry, CancellationToken cancellationToken) => inner.UpsertSummaryAsync(entry, cancellationToken);

    public Task<IReadOnlyList<WorkflowState>> ListSummariesAsync(WorkflowStatus? status, string? beforeId, int limit, CancellationToken cancellationToken) =>
        inner.ListSummariesAsync(status, beforeId, limit, cancellationToken);

    public virtual Task<IReadOnlyList<LogEntry>> ScanUnpublishedAsync(DateTimeOffset acceptedBefore, int limit, CancellationToken cancellationToken) =>
        inner.ScanUnpublishedAsync(acceptedBefore, limit, cancellationToken);

    public virtual Task<OutboxBacklog> MeasureUnpublishedAsync(DateTimeOffset acceptedBefore, long cap, CancellationToken cancellationToken) =>
        inner.MeasureUnpublishedAsync(acceptedBefore, cap, cancellationToken);

    public Task MarkPublishedAsync(IReadOnlyCollection<UpdateKey> keys, CancellationToken cancellationToken) => inner.MarkPublishedAsync(keys, cancellationToken);

    public virtual Task<IdempotencyClaim?> FindIdempotencyClaimAsync(SubjectKey key, DateTimeOffset now, CancellationToken cancellationToken) =>
        inner.FindIdempotencyClaimAsync(key, now, cancellationToken);

    public virtual Task<IdempotencyClaim> ClaimIdempotencyKeyAsync(IdempotencyClaim claim, DateTimeOffset now, CancellationToken cancellationToken) =>
        inner.ClaimIdempotencyKeyAsync(claim, now, cancellationToken);

    public virtual Task<bool> ReplanIdempotencyClaimAsync(IdempotencyClaim current, LogEntry next, CancellationToken cancellationToken) =>
        inner.ReplanIdempotencyClaimAsync(current, next, cancellationToken);

    public Task<long> DeleteExpiredIdempotencyKeysAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken) =>
        inner.DeleteExpiredIdempotencyKeysAsync(now, limit, cancellationToken);

    public virtual Task<bool> TryAcquireLeaseAsync(string lease, string owner, TimeSpan duration, CancellationToken cancellationToken) =>
        inner.TryAcquireLeaseAsync(lease, owner, duration, cancellationToken);

    public Task ReleaseLeaseAsync(string lease, string owner, CancellationToken cancellationToken) => inner.ReleaseLeaseAsync(lease, owner, cancellationToken);

    public Task<IReadOnlyList<RetentionCandidate>> FindRetentionDueAsync(RetentionStage stage, DateTimeOffset terminalBefore, int limit, CancellationToken cancellationToken) =>
        inner.FindRetentionDueAsync(stage, terminalBefore, limit, cancellationToken);

    public virtual Task<RetentionResult> CompactAsync(IReadOnlyList<RetentionCandidate> workflows, CancellationToken cancellationToken) =>
        inner.CompactAsync(workflows, cancellationToken);

    public virtual Task<RetentionResult> DeleteWorkflowsAsync(IReadOnlyList<RetentionCandidate> workflows, CancellationToken cancellationToken) =>
        inner.DeleteWorkflowsAsync(workflows, cancellationToken);

    public virtual bool IsUnavailable(Exception exception) => inner.IsUnavailable(exception);
}
