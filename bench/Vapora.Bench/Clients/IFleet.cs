namespace Vapora.Bench.Clients;

/// <summary>
/// The clients of a run, wherever they live: in the harness itself (<see cref="ClientFleet"/>) or spread over worker
/// processes (<see cref="Workers.WorkerFleet"/>). Client i watches workflow i mod W; the first K are the stalled ones.
/// Timestamps are Stopwatch ticks: on Linux the monotonic clock every process on the machine shares, so a send time
/// stamped by the coordinator is subtracted from a receive time taken in a worker.
/// </summary>
internal interface IFleet : IAsyncDisposable
{
    TimeSpan ConnectTime { get; }

    /// <summary>Processes other than this one that hold clients (for their CPU).</summary>
    IReadOnlyList<int> ProcessIds { get; }

    /// <summary>Updates sent from <paramref name="at"/> on are measured.</summary>
    Task StartWindowAsync(long at);

    /// <summary>Updates sent from <paramref name="at"/> on are not measured.</summary>
    Task EndWindowAsync(long at);

    /// <summary>The first <paramref name="count"/> clients stop reading.</summary>
    Task StallAsync(int count);

    /// <summary>Different versions received so far by the measured clients.</summary>
    Task<long> DeliveredAsync();

    /// <summary>Everything received, checked against <paramref name="accepted"/> (updates that went out, per workflow).</summary>
    Task<FleetResult> ResultAsync(IReadOnlyList<long> accepted);
}
