using System.Text.Json.Serialization;

namespace Vapora.Contracts;

/// <summary>The lifecycle state of a workflow. Serialized as a lowercase string.</summary>
[JsonConverter(typeof(WorkflowStatusJsonConverter))]
public enum WorkflowStatus
{
    /// <summary>Created, not started.</summary>
    Pending,
    /// <summary>In progress.</summary>
    Running,
    /// <summary>Finished successfully (terminal).</summary>
    Completed,
    /// <summary>Finished with an error (terminal).</summary>
    Failed,
    /// <summary>Stopped before finishing (terminal).</summary>
    Cancelled,
}
