namespace Vapora.RealtimeGateway.Hub;

/// <summary>
/// One reference on a watched workflow's topic, from <see cref="TopicRegistry.JoinAsync"/>. A struct, so that joining
/// a live workflow allocates no handle; the holder releases it exactly once.
/// </summary>
internal readonly struct TopicLease
{
    private readonly TopicRegistry? _registry;
    private readonly TopicEntry? _entry;

    internal TopicLease(TopicRegistry registry, TopicEntry entry)
    {
        _registry = registry;
        _entry = entry;
    }

    /// <summary>The topic; null for the empty lease of a failed join.</summary>
    public WorkflowTopic? Topic => _entry?.Topic;

    /// <summary>Gives the reference back; the last one starts the topic's grace period.</summary>
    public void Release() => _registry?.Release(_entry!);
}
