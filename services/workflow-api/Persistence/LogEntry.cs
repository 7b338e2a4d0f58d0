using Vapora.Contracts;

namespace Vapora.WorkflowApi.Persistence;

/// <summary>
/// One version of a workflow as the log holds it: the update, encoded once, and the fields fixed at creation.
/// Every entry carries those, so any entry can create the workflow's summary and any latest entry is its whole state.
/// </summary>
public sealed record LogEntry(StoredUpdate Update, string Name, DateTimeOffset CreatedAt)
{
    /// <summary>The workflow this entry belongs to.</summary>
    public string WorkflowId => Update.Update.WorkflowId;

    /// <summary>The entry's version.</summary>
    public long Version => Update.Update.Version;

    /// <summary>Identifies the entry in the log.</summary>
    public UpdateKey Key => new(WorkflowId, Version);

    /// <summary>The workflow's state as of this entry.</summary>
    public WorkflowState ToState() => WorkflowState.From(Update.Update, Name, CreatedAt);
}

/// <summary>Identifies one entry of the log.</summary>
public readonly record struct UpdateKey(string WorkflowId, long Version);
