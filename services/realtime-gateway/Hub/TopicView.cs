namespace Vapora.RealtimeGateway.Hub;

/// <summary>
/// Where a topic is, as a resume decides from it: whether it forwards, its head, and the oldest version it holds in
/// memory (<c>Head + 1</c> when it holds none).
/// </summary>
internal readonly record struct TopicView(bool IsReady, long Head, long OldestInMemory);
