namespace Vapora.Bench.Scenarios;

/// <summary>Which store the API writes to in the <c>writes</c> scenario.</summary>
internal enum WriteStore
{
    /// <summary>The embedded default: nothing survives a restart.</summary>
    Memory,

    /// <summary>SQLite in WAL mode with synchronous=FULL (run-local.sh's default): each commit is on disk before it is answered.</summary>
    Sqlite,
}

/// <summary>The options of one <c>writes</c> sweep.</summary>
internal sealed record WritesSettings(
    WriteStore Store,
    IReadOnlyList<int> Rates,
    int Workflows,
    double DurationSeconds,
    double WarmupSeconds,
    int Concurrency,
    int Runs,
    double MaxP99Ms);
