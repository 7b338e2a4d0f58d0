using Vapora.Contracts;
using Vapora.WorkflowApi.Persistence;

namespace Vapora.WorkflowApi.Workflows;

/// <summary>What a create did.</summary>
public abstract record CreateOutcome
{
    private CreateOutcome() { }

    /// <summary>A new workflow was stored at version 1.</summary>
    /// <param name="StoredNow">
    /// True when this request stored it; false when a retry of this very request (same key and body) found the key
    /// between this request's claim and its append, and stored it (that retry finishes it: summary, publish).
    /// </param>
    public sealed record Created(LogEntry First, bool StoredNow = true) : CreateOutcome
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

    /// <summary>The subject's Idempotency-Key was seen before with a different request (which is not named: it may be another workflow).</summary>
    public sealed record KeyReused : CreateOutcome;
}

/// <summary>What an update did.</summary>
public abstract record UpdateOutcome
{
    private UpdateOutcome() { }

    /// <summary>Stored as the next version.</summary>
    /// <param name="StoredNow">
    /// True when this request stored it; false when a retry of this very request (same key and body) stored it a
    /// moment earlier, while this one was between claiming the key and storing (that retry finishes it).
    /// </param>
    public sealed record Applied(LogEntry Entry, bool StoredNow = true) : UpdateOutcome
    {
        /// <summary>The workflow's new state.</summary>
        public WorkflowState State => Entry.ToState();
    }

    /// <summary>The subject's Idempotency-Key was seen before with the same request: the version that request made.</summary>
    /// <param name="FinishedNow">True when this request stored that version: the first request stopped between claiming the key and storing it.</param>
    public sealed record Replayed(LogEntry Entry, bool FinishedNow) : UpdateOutcome
    {
        /// <summary>The workflow's state as that version made it.</summary>
        public WorkflowState State => Entry.ToState();
    }

    /// <summary>The subject's Idempotency-Key was seen before with a different request; nothing was stored.</summary>
    public sealed record KeyReused : UpdateOutcome;

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
