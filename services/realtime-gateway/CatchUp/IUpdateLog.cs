using Vapora.Contracts;
using Vapora.RealtimeGateway.Hub;

namespace Vapora.RealtimeGateway.CatchUp;

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

/// <summary>A workflow's state as read from the API: the encoded state frame and the fields fixed at creation.</summary>
internal sealed record WorkflowSnapshot(UpdateFrame StateFrame, string Name, DateTimeOffset CreatedAt)
{
    public long Version => StateFrame.Version;
}

/// <summary>The API did not answer (down, timing out, or 5xx) after the client's retries.</summary>
internal sealed class UpdateLogUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
