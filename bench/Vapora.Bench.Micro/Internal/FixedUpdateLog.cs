using System.Text;
using Vapora.Contracts;
using Vapora.RealtimeGateway.UpdateLog;
using Vapora.RealtimeGateway.Frames;

namespace Vapora.Bench.Micro.Internal;

/// <summary>The API's update log for one workflow at version 1; the benchmarks publish versions 2, 3, … live.</summary>
internal sealed class FixedUpdateLog : IUpdateLog
{
    private readonly WorkflowSnapshot _snapshot;

    public FixedUpdateLog(string workflowId)
    {
        var json = Encoding.UTF8.GetBytes("{\"workflow_id\":\"" + workflowId + "\",\"version\":1,\"status\":\"running\",\"current_step\":0,"
            + "\"total_steps\":10,\"message\":\"\",\"timestamp\":\"2026-11-28T17:00:00.000Z\",\"name\":\"bench\","
            + "\"created_at\":\"2026-11-28T16:59:00.000Z\"}");
        if (!WorkflowUpdateHeader.TryRead(json, out var header))
        {
            throw new InvalidOperationException("The benchmark's state frame does not parse.");
        }

        _snapshot = new WorkflowSnapshot(new UpdateFrame(header, json, 0), "bench", DateTimeOffset.UnixEpoch);
    }

    public Task<WorkflowSnapshot?> GetStateAsync(string workflowId, CancellationToken cancellationToken) =>
        Task.FromResult<WorkflowSnapshot?>(_snapshot);

    public Task<IReadOnlyList<UpdateFrame>?> GetHistoryAsync(string workflowId, long afterVersion, int limit, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<UpdateFrame>?>([]);
}
