namespace Vapora.RealtimeGateway.Hub;

/// <summary>A topic and its life in the <see cref="TopicRegistry"/>; every field is guarded by locking the entry.</summary>
internal sealed class TopicEntry(WorkflowTopic topic)
{
    public WorkflowTopic Topic { get; } = topic;

    public int RefCount;
    public bool Removed;
    public long IdleSince;
    public Task<TopicStatus>? Ready;
}
