namespace Vapora.WorkflowApi.Persistence;

/// <summary>What the retention sweep does to a terminal workflow.</summary>
public enum RetentionStage
{
    /// <summary>Its history is cut to its last update (terminal workflows not compacted yet).</summary>
    Compact,

    /// <summary>It is deleted: log and summary (every terminal workflow, compacted or not).</summary>
    Delete,
}
