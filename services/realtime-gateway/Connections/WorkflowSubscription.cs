using Vapora.RealtimeGateway.Hub;

namespace Vapora.RealtimeGateway.Connections;

/// <summary>One connection's interest in one workflow: where it is (the last version given) and how its frames look.</summary>
internal sealed class WorkflowSubscription(ClientConnection connection, string workflowId, bool enveloped) : IWorkflowWatcher
{
    public string WorkflowId { get; } = workflowId;

    /// <summary>The topic once joined; null while joining.</summary>
    public WorkflowTopic? Topic { get; set; }

    public long Position { get; set; }

    /// <summary>Live delivery from the topic (under its lock): each version once, in order.</summary>
    public void Deliver(UpdateFrame frame)
    {
        if (frame.Version <= Position)
        {
            return;
        }

        Position = frame.Version;
        connection.EnqueueLive(BytesOf(frame), frame.Header.TimestampUnixMs, WorkflowId, isProgress: !frame.StatusChanged);
    }

    /// <summary>The bytes this subscription sends for a frame: as published, or in the /ws envelope.</summary>
    public ReadOnlyMemory<byte> BytesOf(UpdateFrame frame) => enveloped ? frame.Envelope : frame.Json;
}
