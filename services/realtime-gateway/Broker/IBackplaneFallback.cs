namespace Vapora.RealtimeGateway.Broker;

/// <summary>What keeps watchers fresh while the backplane is silent (the hub's degraded mode, which reads the API).</summary>
internal interface IBackplaneFallback
{
    /// <summary>True when the fallback can serve now (its source answered lately); <paramref name="detail"/> says how.</summary>
    bool IsServing(out string detail);
}
