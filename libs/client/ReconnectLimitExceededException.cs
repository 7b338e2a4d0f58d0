namespace Vapora.Client;

/// <summary>The stream could not be resumed within the configured number of attempts.</summary>
public sealed class ReconnectLimitExceededException(string workflowId, int attempts, Exception? last)
    : Exception($"Gave up on the stream of {workflowId} after {attempts} reconnect attempts.", last)
{
    /// <summary>The workflow.</summary>
    public string WorkflowId { get; } = workflowId;

    /// <summary>Attempts made.</summary>
    public int Attempts { get; } = attempts;
}
