namespace Vapora.Client;

/// <summary>
/// The server ended the stream with a close code that says retrying cannot help (4400–4499 and others), as a WebSocket
/// close, a <c>close</c> event, or an HTTP refusal of an event stream (its ProblemDetails' <c>close_code</c>).
/// </summary>
public sealed class WorkflowStreamClosedException(string workflowId, int closeCode, string? reason)
    : Exception($"The gateway closed the stream of {workflowId} with {closeCode}: {reason}")
{
    /// <summary>The workflow.</summary>
    public string WorkflowId { get; } = workflowId;

    /// <summary>The close code (see <c>CloseReason</c>).</summary>
    public int CloseCode { get; } = closeCode;

    /// <summary>The reason the server gave.</summary>
    public string? Reason { get; } = reason;
}
