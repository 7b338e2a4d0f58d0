using Vapora.Contracts;
using Vapora.WorkflowApi.Workflows;

namespace Vapora.WorkflowApi.Persistence;

/// <summary>
/// The update log and the current state of every workflow. Implementations keep versions contiguous
/// (1, 2, 3, … with no gap and no duplicate) even when several API processes write one workflow at once,
/// and remember which updates are not yet published (the outbox).
/// </summary>
public interface IWorkflowStore
{
    /// <summary>Stores a new workflow at version 1, honouring its idempotency key.</summary>
    Task<CreateOutcome> CreateAsync(NewWorkflow workflow, CancellationToken cancellationToken);

    /// <summary>Applies one change as the next version, atomically against concurrent writers.</summary>
    /// <param name="expectedVersion">From If-Match: the change applies only if this is the current version.</param>
    Task<UpdateOutcome> UpdateAsync(string workflowId, WorkflowChange change, long? expectedVersion, CancellationToken cancellationToken);

    /// <summary>The current state, or null when there is no such workflow.</summary>
    Task<WorkflowState?> GetAsync(string workflowId, CancellationToken cancellationToken);

    /// <summary>Updates with version greater than <paramref name="afterVersion"/>, oldest first, at most <paramref name="limit"/>.</summary>
    Task<HistoryOutcome> GetHistoryAsync(string workflowId, long afterVersion, int limit, CancellationToken cancellationToken);

    /// <summary>Workflows newest first, optionally of one status, continuing after <paramref name="cursor"/>.</summary>
    Task<StoredPage> ListAsync(WorkflowStatus? status, string? cursor, int limit, CancellationToken cancellationToken);

    /// <summary>Stored but unpublished updates accepted before <paramref name="acceptedBefore"/>, in version order per workflow.</summary>
    Task<IReadOnlyList<StoredUpdate>> GetUnpublishedAsync(DateTimeOffset acceptedBefore, int limit, CancellationToken cancellationToken);

    /// <summary>Records that these updates reached Redis.</summary>
    Task MarkPublishedAsync(IReadOnlyCollection<UpdateKey> updates, CancellationToken cancellationToken);
}

/// <summary>Identifies one update in the log.</summary>
public readonly record struct UpdateKey(string WorkflowId, long Version);
