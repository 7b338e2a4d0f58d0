namespace Vapora.RealtimeGateway.Resume;

/// <summary>What a history read after a position returned: how many versions, and the first of them (0 when none).</summary>
internal readonly record struct HistoryPage(int Count, long FirstVersion);
