using Vapora.RealtimeGateway.Frames;
using Vapora.RealtimeGateway.Hub;
using Vapora.RealtimeGateway.Resume;

namespace Vapora.RealtimeGateway.Connections;

/// <summary>
/// One connection's interest in one workflow: where it is (the last version given) and how its frames look. Every
/// version reaches the connection through here, once and in order, whether it comes from the API's history, the
/// topic's memory or live. Its position is the catch-up's while it starts, then the topic's (under its lock).
/// </summary>
internal sealed class WorkflowSubscription(Connection connection, string workflowId, long? after, bool enveloped) : IResumingWatcher
{
    public string WorkflowId { get; } = workflowId;

    /// <summary>The reference on the workflow's topic once joined; empty while joining.</summary>
    public TopicLease Lease { get; set; }

    /// <summary>Caught up and live (set under the subscription set's lock): from now on a token refresh may end it.</summary>
    public bool IsAttached { get; set; }

    /// <summary>The last version given to the connection (or the version resumed after).</summary>
    public long Position { get; private set; } = after ?? 0;

    public bool TryReserve(int frames) => connection.TryReserve(frames);

    public void HandOver(UpdateFrame frame)
    {
        Position = frame.Version;
        connection.EnqueueReserved(BytesOf(frame));
    }

    public void Deliver(UpdateFrame frame)
    {
        if (frame.Version <= Position && !frame.IsReset)
        {
            return;
        }

        Position = frame.Version;
        connection.EnqueueLive(BytesOf(frame), frame.Header.TimestampUnixMs, WorkflowId, isProgress: !frame.StatusChanged);
    }

    public void Fail(Exception exception) => connection.Fail(exception);

    public ValueTask CatchUpAsync(UpdateFrame frame)
    {
        if (frame.Version != Position + 1)
        {
            return ValueTask.CompletedTask;
        }

        Position = frame.Version;
        return connection.EnqueueWaitingAsync(BytesOf(frame), FrameKind.Update);
    }

    public ValueTask WaitForRoomAsync() => connection.WaitForRoomAsync();

    /// <summary>The bytes this subscription sends for a frame: as published, or in the /ws envelope.</summary>
    private ReadOnlyMemory<byte> BytesOf(UpdateFrame frame) => enveloped ? frame.Envelope : frame.Json;
}
