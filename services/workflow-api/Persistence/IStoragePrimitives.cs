using Vapora.Contracts;

namespace Vapora.WorkflowApi.Persistence;

/// <summary>
/// The primitive operations of a store, implemented by MongoDB, SQLite and memory. They hold no workflow rules:
/// versions, If-Match, the terminal status and idempotency are decided once, above them, by
/// <c>Workflows.WorkflowRules</c>, so the code that differs between stores is only what the database must do itself.
/// </summary>
/// <remarks>
/// Four kinds of data: the update log (one <see cref="LogEntry"/> per version, the source of truth, which also
/// remembers which entries are still to be published: the outbox), a summary per workflow (its latest state, for
/// listing by status and for retention; it may lag the log and only ever moves forward), idempotency keys (per
/// subject, expiring) and leases (which API replica relays the outbox, which one sweeps).
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

    /// <summary>
    /// The highest version of a workflow the store has accepted, 0 when none: on MongoDB read from the primary at read
    /// concern local, so it includes an entry acknowledged a moment ago that <see cref="ReadLatestAsync"/> (majority)
    /// may not show yet, as just after a failover. Only asked when an If-Match names a version above the latest read.
    /// </summary>
    Task<long> ReadNewestVersionAsync(string workflowId, CancellationToken cancellationToken);

    /// <summary>
    /// Updates with a version above <paramref name="afterVersion"/>, oldest first, at most <paramref name="limit"/>. After
    /// compaction the log starts at the workflow's last version, so the first one returned may lie above
    /// <paramref name="afterVersion"/> + 1.
    /// </summary>
    Task<IReadOnlyList<StoredUpdate>> ReadRangeAsync(string workflowId, long afterVersion, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Moves the workflow's summary forward to <paramref name="entry"/>, creating it when there is none; a summary
    /// already at that version or beyond is left alone, so writers that finish in any order leave the latest. A terminal
    /// entry records when the workflow ended (its timestamp), for retention.
    /// </summary>
    /// <returns>True when the summary changed.</returns>
    Task<bool> UpsertSummaryAsync(LogEntry entry, CancellationToken cancellationToken);

    /// <summary>Summaries newest first (by id), optionally of one status, with ids below <paramref name="beforeId"/>, at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<WorkflowState>> ListSummariesAsync(WorkflowStatus? status, string? beforeId, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Entries not yet marked published that are due, in (workflow id, version) order, at most <paramref name="limit"/>: a
    /// batch smaller than the backlog still holds each workflow's oldest first. Due are the entries accepted before
    /// <paramref name="acceptedBefore"/> and, of the same workflow, every lower unpublished version: it was accepted
    /// earlier, whatever the clock of the replica that accepted it says, so a later version is never due before it.
    /// </summary>
    Task<IReadOnlyList<LogEntry>> ScanUnpublishedAsync(DateTimeOffset acceptedBefore, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Measures the entries not yet marked published and accepted before <paramref name="acceptedBefore"/>: how many,
    /// counted up to <paramref name="cap"/> (at least 1) so that a huge backlog costs a bounded count, and when the
    /// oldest of all of them was accepted, whatever the cap (a batch is ordered by workflow and version, so the oldest
    /// may lie far beyond it).
    /// </summary>
    /// <returns>The count, at most <paramref name="cap"/>, and the oldest acceptance time (null when there is none).</returns>
    Task<OutboxBacklog> MeasureUnpublishedAsync(DateTimeOffset acceptedBefore, long cap, CancellationToken cancellationToken);

    /// <summary>Records that these entries were published and their summary is current; the outbox forgets them.</summary>
    Task MarkPublishedAsync(IReadOnlyCollection<UpdateKey> keys, CancellationToken cancellationToken);

    /// <summary>The claim that holds <paramref name="key"/>, or null when none does or it expired by <paramref name="now"/>.</summary>
    Task<IdempotencyClaim?> FindIdempotencyClaimAsync(SubjectKey key, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Records <paramref name="claim"/> unless its key is held by a claim that has not expired by <paramref name="now"/>.</summary>
    /// <returns>
    /// The claim that holds the key: <paramref name="claim"/> itself (the same instance) when this call recorded it, else
    /// the one that was there first. Two requests may plan equal entries in the same millisecond; only the instance tells
    /// which of them claimed the key.
    /// </returns>
    Task<IdempotencyClaim> ClaimIdempotencyKeyAsync(IdempotencyClaim claim, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Replaces the entry a claim plans to store with <paramref name="next"/>, only if the key still plans
    /// <paramref name="current"/>'s entry (its version): of two requests re-planning one key at once, one wins.
    /// </summary>
    /// <returns>True when this call re-planned it.</returns>
    Task<bool> ReplanIdempotencyClaimAsync(IdempotencyClaim current, LogEntry next, CancellationToken cancellationToken);

    /// <summary>Deletes up to <paramref name="limit"/> keys expired by <paramref name="now"/>; returns how many.</summary>
    Task<long> DeleteExpiredIdempotencyKeysAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Takes the lease <paramref name="lease"/> for <paramref name="owner"/> until <paramref name="duration"/> from now,
    /// or extends it when <paramref name="owner"/> holds it already; another owner's lease that has not expired is left
    /// alone. Atomic against every replica of the store. Expiry is judged by one clock (MongoDB's primary's; SQLite's
    /// machine's), so replicas' clocks that differ do not make two holders.
    /// </summary>
    /// <returns>True when <paramref name="owner"/> holds the lease now.</returns>
    Task<bool> TryAcquireLeaseAsync(string lease, string owner, TimeSpan duration, CancellationToken cancellationToken);

    /// <summary>Gives the lease up when <paramref name="owner"/> holds it, so that another replica takes it at once.</summary>
    Task ReleaseLeaseAsync(string lease, string owner, CancellationToken cancellationToken);

    /// <summary>
    /// Terminal workflows that ended before <paramref name="terminalBefore"/>, the longest-ended first, at most
    /// <paramref name="limit"/>: for <see cref="RetentionStage.Compact"/> those not compacted yet, for
    /// <see cref="RetentionStage.Delete"/> all. Running workflows are never among them.
    /// </summary>
    Task<IReadOnlyList<RetentionCandidate>> FindRetentionDueAsync(RetentionStage stage, DateTimeOffset terminalBefore, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Cuts each workflow's log to its last version and marks its summary compacted; a workflow with an entry not yet
    /// published is left for a later sweep (the outbox needs it).
    /// </summary>
    Task<RetentionResult> CompactAsync(IReadOnlyList<RetentionCandidate> workflows, CancellationToken cancellationToken);

    /// <summary>Deletes each workflow, its log first, then its summary; one with an entry not yet published is left for a later sweep.</summary>
    Task<RetentionResult> DeleteWorkflowsAsync(IReadOnlyList<RetentionCandidate> workflows, CancellationToken cancellationToken);

    /// <summary>
    /// True when <paramref name="exception"/> is an outage: the store could not be reached, did not answer or could not
    /// confirm in time (the request gets 503 with Retry-After and may be retried). False for a defect: the store refused
    /// what the API asked (permissions, validation, a bad command) or returned data the API cannot read; that is a 500
    /// and pages someone, since retrying does not help.
    /// </summary>
    bool IsUnavailable(Exception exception);
}
