using Vapora.RealtimeGateway.Frames;
using Vapora.RealtimeGateway.Hub;

namespace Vapora.RealtimeGateway.Connections;

/// <summary>
/// One connection's interest in one workflow: where it is (the last version given) and how its frames look. Every
/// version reaches the connection through here, once and in order, whether it comes from the API's history, the
/// topic's memory or live.
/// </summary>
internal sealed class WorkflowSubscription(Connection connection, string workflowId, long? after, bool enveloped) : IWorkflowWatcher
{
    public string WorkflowId { get; } = workflowId;

    /// <summary>The reference on the workflow's topic once joined; empty while joining.</summary>
    public TopicLease Lease { get; set; }

    /// <summary>The last version given to the connection (or the version resumed after).</summary>
    public long Position { get; private set; } = after ?? 0;

    /// <summary>From the topic, under its lock: live versions and, while attaching, the state or recent versions.</summary>
    public void Deliver(UpdateFrame frame, bool live)
    {
        if (frame.Version <= Position)
        {
            return;
        }

        Position = frame.Version;
        if (live)
        {
            connection.EnqueueLive(BytesOf(frame), frame.Header.TimestampUnixMs, WorkflowId, isProgress: !frame.StatusChanged);
        }
        else
        {
            connection.Enqueue(BytesOf(frame));
        }
    }

    /// <summary>A version read from the API's history before attaching; waits for room in the queue.</summary>
    public ValueTask CatchUpAsync(UpdateFrame frame)
    {
        if (frame.Version != Position + 1)
        {
            return ValueTask.CompletedTask;
        }

        Position = frame.Version;
        return connection.EnqueueAsync(BytesOf(frame));
    }

    /// <summary>The bytes this subscription sends for a frame: as published, or in the /ws envelope.</summary>
    private ReadOnlyMemory<byte> BytesOf(UpdateFrame frame) => enveloped ? frame.Envelope : frame.Json;
}
