namespace Vapora.RealtimeGateway.Connections;

/// <summary>What happened to a live frame.</summary>
internal enum EnqueueResult
{
    Queued,
    Conflated,
    Full,
    Closed,
}
