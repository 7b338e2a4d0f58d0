using System.Text;
using Vapora.Contracts;
using Vapora.RealtimeGateway.Frames;
using Vapora.RealtimeGateway.UpdateLog;

namespace Vapora.RealtimeGateway.Concurrency.Tests;

/// <summary>
/// The API's update log of one workflow, in memory. It answers at once: the interleavings explored are the gateway's
/// own (its tasks, locks and waits), not the network's.
/// </summary>
internal sealed class CoreLog(string workflowId, long latest) : IUpdateLog
{
    private long _latest = latest;

    /// <summary>The latest stored version (the publisher stores, then publishes).</summary>
    public long Latest
    {
        get => Volatile.Read(ref _latest);
        set => Volatile.Write(ref _latest, value);
    }

    public Task<WorkflowSnapshot?> GetStateAsync(string id, CancellationToken cancellationToken) =>
        Task.FromResult<WorkflowSnapshot?>(id == workflowId ? new WorkflowSnapshot(State(id, Latest), "explored", DateTimeOffset.UnixEpoch) : null);

    public Task<IReadOnlyList<UpdateFrame>?> GetHistoryAsync(string id, long afterVersion, int limit, CancellationToken cancellationToken)
    {
        var latest = Latest;
        IReadOnlyList<UpdateFrame>? frames = id != workflowId ? null
            : [.. Enumerable.Range((int)afterVersion + 1, (int)Math.Max(0, Math.Min(limit, latest - afterVersion))).Select(v => Update(id, v))];
        return Task.FromResult(frames);
    }

    /// <summary>
    /// Version <paramref name="version"/>. Every version changes the status (the topic does not judge transitions; the
    /// API does), so none may be conflated: a client that falls behind must still get each one, and the check can be exact.
    /// </summary>
    public static UpdateFrame Update(string id, long version) =>
        Frame($$"""{"workflow_id":"{{id}}","version":{{version}},"status":"{{StatusOf(version)}}","current_step":{{version}},"total_steps":1000,"message":null,"timestamp":"2026-11-28T17:00:00.000Z"}""");

    private static UpdateFrame State(string id, long version) =>
        Frame($$"""{"workflow_id":"{{id}}","version":{{version}},"status":"{{StatusOf(version)}}","current_step":{{version}},"total_steps":1000,"message":null,"timestamp":"2026-11-28T17:00:00.000Z","name":"explored","created_at":"2026-11-28T16:00:00.000Z"}""");

    private static string StatusOf(long version) => version % 2 == 0 ? "running" : "pending";

    private static UpdateFrame Frame(string json)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        return WorkflowUpdateHeader.TryRead(bytes, out var header) ? new UpdateFrame(header, bytes, 0) : throw new InvalidOperationException("A frame that does not parse.");
    }
}
