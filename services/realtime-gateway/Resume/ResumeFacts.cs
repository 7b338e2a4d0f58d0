using Vapora.RealtimeGateway.Hub;

namespace Vapora.RealtimeGateway.Resume;

/// <summary>What <see cref="ResumeRule"/> decides from; a fact not gathered yet is null.</summary>
/// <param name="Position">The last version the client has; null when it asked for the current state first.</param>
/// <param name="Topic">The topic: whether it forwards, its head, the oldest version it holds in memory.</param>
/// <param name="LatestStored">The log's latest version, once read (only asked when the position is beyond the head).</param>
/// <param name="Page">The history page read after the position, once read.</param>
internal readonly record struct ResumeFacts(long? Position, TopicView Topic, long? LatestStored = null, HistoryPage? Page = null);
