using Vapora.RealtimeGateway.Frames;

namespace Vapora.RealtimeGateway.UpdateLog;

/// <summary>
/// The workflow API's update log as the gateway reads it: the current state and the history after a version.
/// Throws <see cref="UpdateLogUnavailableException"/> when the API cannot answer.
/// </summary>
internal interface IUpdateLog
{
    /// <summary>The current state, or null when the workflow does not exist.</summary>
    Task<WorkflowSnapshot?> GetStateAsync(string workflowId, CancellationToken cancellationToken);

    /// <summary>Updates after <paramref name="afterVersion"/> in version order, or null when the workflow does not exist.</summary>
    Task<IReadOnlyList<UpdateFrame>?> GetHistoryAsync(string workflowId, long afterVersion, int limit, CancellationToken cancellationToken);
}
