using Vapora.Contracts;
using Vapora.WorkflowApi.Persistence;

namespace Vapora.WorkflowApi.Workflows;

/// <summary>What a create did.</summary>
public abstract record CreateOutcome
{
    private CreateOutcome() { }

    /// <summary>A new workflow was stored at version 1.</summary>
    public sealed record Created(LogEntry First) : CreateOutcome
    {
        /// <summary>The new workflow's state.</summary>
        public WorkflowState State => First.ToState();
    }

    /// <summary>The Idempotency-Key was seen before with the same request: the original workflow as created.</summary>
    /// <param name="First">The original version 1.</param>
    /// <param name="FinishedNow">
    /// True when this request stored that version 1: the first request had claimed the key and not stored it yet
    /// (it stopped, or is about to find it stored).
    /// </param>
    public sealed record Replayed(LogEntry First, bool FinishedNow) : CreateOutcome
    {
        /// <summary>The original workflow as created.</summary>
        public WorkflowState State => First.ToState();
    }

    /// <summary>The Idempotency-Key was seen before with a different request.</summary>
    public sealed record KeyReused(string ExistingWorkflowId) : CreateOutcome;
}

/// <summary>What an update did.</summary>
public abstract record UpdateOutcome
{
    private UpdateOutcome() { }

    /// <summary>Stored as the next version.</summary>
    public sealed record Applied(LogEntry Entry) : UpdateOutcome
    {
        /// <summary>The workflow's new state.</summary>
        public WorkflowState State => Entry.ToState();
    }

    /// <summary>No such workflow.</summary>
    public sealed record NotFound : UpdateOutcome;

    /// <summary>If-Match named another version than the current one.</summary>
    public sealed record VersionMismatch(long CurrentVersion) : UpdateOutcome;

    /// <summary>The change is not allowed from the current state.</summary>
    public sealed record Rejected(ChangeRejection Reason) : UpdateOutcome;

    /// <summary>Other writers kept taking the next version for <c>Storage:ContentionTimeout</c>; nothing was stored.</summary>
    public sealed record Contended : UpdateOutcome;
}

/// <summary>The history of a workflow, or that it does not exist.</summary>
public abstract record HistoryOutcome
{
    private HistoryOutcome() { }

    /// <summary>Updates with version greater than the one asked for, in version order.</summary>
    public sealed record Found(IReadOnlyList<StoredUpdate> Updates) : HistoryOutcome;

    /// <summary>No such workflow.</summary>
    public sealed record NotFound : HistoryOutcome;
}
