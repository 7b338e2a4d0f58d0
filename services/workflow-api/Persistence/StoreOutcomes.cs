using Vapora.Contracts;

namespace Vapora.WorkflowApi.Persistence;

/// <summary>What a create did.</summary>
public abstract record CreateOutcome
{
    private CreateOutcome() { }

    /// <summary>A new workflow was stored at version 1.</summary>
    public sealed record Created(WorkflowState State, StoredUpdate FirstUpdate) : CreateOutcome;

    /// <summary>The Idempotency-Key was seen before with the same request: the original workflow.</summary>
    public sealed record Replayed(WorkflowState State) : CreateOutcome;

    /// <summary>The Idempotency-Key was seen before with a different request.</summary>
    public sealed record KeyReused(string ExistingWorkflowId) : CreateOutcome;
}

/// <summary>What an update did.</summary>
public abstract record UpdateOutcome
{
    private UpdateOutcome() { }

    /// <summary>Stored as the next version.</summary>
    public sealed record Applied(WorkflowState State, StoredUpdate Update) : UpdateOutcome;

    /// <summary>No such workflow.</summary>
    public sealed record NotFound : UpdateOutcome;

    /// <summary>If-Match named another version than the current one.</summary>
    public sealed record VersionMismatch(long CurrentVersion) : UpdateOutcome;

    /// <summary>The change is not allowed from the current state.</summary>
    public sealed record Rejected(ChangeRejection Reason) : UpdateOutcome;

    /// <summary>Too many writers raced for the same workflow; nothing was stored.</summary>
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

/// <summary>Why a change was refused given the workflow's current state.</summary>
public sealed record ChangeRejection(ChangeRejectionKind Kind, string Field, string Detail);

/// <summary>Kinds of refusal; each maps to one HTTP status.</summary>
public enum ChangeRejectionKind
{
    /// <summary>A status change that the lifecycle forbids (409).</summary>
    IllegalTransition,

    /// <summary>A value that is invalid combined with the stored state, such as current_step above total_steps (400).</summary>
    InvalidValue,
}

/// <summary>One page of workflows, newest first.</summary>
public sealed record StoredPage(IReadOnlyList<WorkflowState> Items, string? NextCursor);
