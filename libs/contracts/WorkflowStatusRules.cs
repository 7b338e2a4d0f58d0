namespace Vapora.Contracts;

/// <summary>Which status changes are legal. Shared so that the API and clients agree.</summary>
public static class WorkflowStatusRules
{
    /// <summary>True for completed, failed and cancelled: nothing may follow them.</summary>
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

    /// <summary>The wire name of a status (<c>pending</c>, <c>running</c>, ...).</summary>
    public static string ToWireName(this WorkflowStatus status) => WorkflowStatusJsonConverter.NameOf(status);

    /// <summary>Parses a wire name exactly (lowercase); numbers and other spellings are rejected.</summary>
    public static bool TryParseWireName(string? value, out WorkflowStatus status) =>
        WorkflowStatusJsonConverter.TryParse(value, out status);
}
