namespace Vapora.Bench.Cli;

/// <summary>Whether a Vapora target runs on a three-node Redis Cluster, and how it uses pub/sub there (<c>--cluster</c>).</summary>
internal enum RedisTopology
{
    /// <summary>One redis-server, PUBLISH/SUBSCRIBE.</summary>
    None,

    /// <summary>A three-node Redis Cluster with classic PUBLISH/SUBSCRIBE (every message goes to every node).</summary>
    Classic,

    /// <summary>A three-node Redis Cluster with sharded SPUBLISH/SSUBSCRIBE (a message goes to its slot's node only).</summary>
    Sharded,
}
