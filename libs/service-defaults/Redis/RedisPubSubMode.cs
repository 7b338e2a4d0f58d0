namespace Vapora.ServiceDefaults.Redis;

/// <summary>How messages travel through Redis (<c>Redis:PubSub</c>).</summary>
public enum RedisPubSubMode
{
    /// <summary>PUBLISH / SUBSCRIBE: right for one Redis.</summary>
    Classic,

    /// <summary>
    /// SPUBLISH / SSUBSCRIBE (Redis 7+), for Redis Cluster: each channel lives on the node of its slot, so a message
    /// travels to that node only instead of being broadcast to every node.
    /// </summary>
    Sharded,
}
