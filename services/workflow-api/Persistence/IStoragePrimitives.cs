using Vapora.Contracts;

namespace Vapora.WorkflowApi.Persistence;

/// <summary>
/// The primitive operations of a store, implemented by MongoDB, SQLite and memory. They hold no workflow rules:
/// versions, If-Match, the terminal status and idempotency are decided once, above them, by
/// <c>Workflows.WorkflowRules</c>, so the code that differs between stores is only what the database must do itself.
/// </summary>
/// <remarks>
/// Three kinds of data: the update log (one <see cref="LogEntry"/> per version, the source of truth, which also
/// remembers which entries are still to be published: the outbox), a summary per workflow (its latest state, for
/// listing by status; it may lag the log and only ever moves forward) and idempotency keys.
/// </remarks>
public interface IStoragePrimitives
{
    /// <summary>
    /// Stores <paramref name="entry"/> as its version unless that version already exists (another writer won it).
    /// Atomic against every other writer of the same store, in this process or another.
    /// </summary>
    /// <returns>True when stored; false when the version was taken and nothing was written.</returns>
    Task<bool> TryAppendAsync(LogEntry entry, CancellationToken cancellationToken);

    /// <summary>The entry with the highest version of a workflow, or null when the workflow has none.</summary>
    Task<LogEntry?> ReadLatestAsync(string workflowId, CancellationToken cancellationToken);

    /// <summary>Updates with a version above <paramref name="afterVersion"/>, oldest first, at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<StoredUpdate>> ReadRangeAsync(string workflowId, long afterVersion, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Moves the workflow's summary forward to <paramref name="entry"/>, creating it when there is none; a summary
    /// already at that version or beyond is left alone, so writers that finish in any order leave the latest.
    /// </summary>
    /// <returns>True when the summary changed.</returns>
    Task<bool> UpsertSummaryAsync(LogEntry entry, CancellationToken cancellationToken);

    /// <summary>Summaries newest first (by id), optionally of one status, with ids below <paramref name="beforeId"/>, at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<WorkflowState>> ListSummariesAsync(WorkflowStatus? status, string? beforeId, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Entries not yet marked published and accepted before <paramref name="acceptedBefore"/>, in (workflow id, version)
    /// order, at most <paramref name="limit"/>: a batch smaller than the backlog still holds each workflow's oldest first.
    /// </summary>
    Task<IReadOnlyList<LogEntry>> ScanUnpublishedAsync(DateTimeOffset acceptedBefore, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Measures what <see cref="ScanUnpublishedAsync"/> would find without a limit (not yet marked published, accepted
    /// before <paramref name="acceptedBefore"/>): how many, counted up to <paramref name="cap"/> (at least 1) so that a
    /// huge backlog costs a bounded count, and when the oldest of all of them was accepted, whatever the cap (a batch
    /// is ordered by workflow and version, so the oldest may lie far beyond it).
    /// </summary>
    /// <returns>The count, at most <paramref name="cap"/>, and the oldest acceptance time (null when there is none).</returns>
    Task<OutboxBacklog> MeasureUnpublishedAsync(DateTimeOffset acceptedBefore, long cap, CancellationToken cancellationToken);

    /// <summary>Records that these entries were published and their summary is current; the outbox forgets them.</summary>
    Task MarkPublishedAsync(IReadOnlyCollection<UpdateKey> keys, CancellationToken cancellationToken);

    /// <summary>Records <paramref name="claim"/> unless its key is already held.</summary>
    /// <returns>The claim that holds the key: this one, or the one that was there first.</returns>
    Task<IdempotencyClaim> ClaimIdempotencyKeyAsync(IdempotencyClaim claim, CancellationToken cancellationToken);

    /// <summary>
    /// True when <paramref name="exception"/> means the store could not be reached or did not answer (the request
    /// gets 503 and may be retried), rather than a bug or unreadable data.
    /// </summary>
    bool IsUnavailable(Exception exception);
}
