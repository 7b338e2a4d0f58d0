namespace Vapora.Bench.Cli;

/// <summary>What is measured.</summary>
internal enum Target
{
    /// <summary>workflow-api + one realtime-gateway (+ nginx with <c>--via lb</c>).</summary>
    Vapora,

    /// <summary>ASP.NET Core SignalR with the Redis backplane (bench/Vapora.Bench.SignalRPeer).</summary>
    SignalR,

    /// <summary>Bare Kestrel WebSocket fan-out, no Redis (bench/Vapora.Bench.Ceiling).</summary>
    Ceiling,
}
