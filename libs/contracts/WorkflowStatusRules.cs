namespace Vapora.Contracts;

/// <summary>Which status changes are legal. Shared so that the API and clients agree.</summary>
public static class WorkflowStatusRules
{
    /// <summary>
    /// True for completed, failed and cancelled: nothing may follow them. A status this version does not know is not
    /// terminal (a client keeps watching; it may end later with a known terminal status).
    /// </summary>
    public static bool IsTerminal(this WorkflowStatus status) =>
        status is WorkflowStatus.Completed or WorkflowStatus.Failed or WorkflowStatus.Cancelled;

    /// <summary>
    /// True when a workflow in <paramref name="from"/> may accept an update that leaves it in <paramref name="to"/>.
    /// Nothing follows a terminal status, and a workflow never returns to pending once it has started.
    /// </summary>
    public static bool CanMove(WorkflowStatus from, WorkflowStatus to) => from switch
    {
        WorkflowStatus.Pending => true,
        WorkflowStatus.Running => to != WorkflowStatus.Pending,
        _ => false,
    };

    /// <summary>False for a status a newer API sent that this version does not know (read by its name).</summary>
    public static bool IsKnown(this WorkflowStatus status) => WorkflowStatusJsonConverter.IsNamed(status);

    /// <summary>The wire name of a status (<c>pending</c>, <c>running</c>, ..., or the name of one this version does not know).</summary>
    public static string ToWireName(this WorkflowStatus status) => WorkflowStatusJsonConverter.NameOf(status);

    /// <summary>Parses one of the names this version knows exactly (lowercase); numbers and other spellings are rejected.</summary>
    public static bool TryParseWireName(string? value, out WorkflowStatus status) =>
        WorkflowStatusJsonConverter.TryParse(value, out status);

    /// <summary>
    /// Reads a status as a receiver does: a known name, or a well-formed name this version does not know (a newer
    /// API's), which keeps its name (<see cref="ToWireName"/>).
    /// </summary>
    public static bool TryReadWireName(string? value, out WorkflowStatus status) =>
        WorkflowStatusJsonConverter.TryParse(value, out status) || UnknownWorkflowStatuses.TryGet(value, out status);
}
