using System.Diagnostics;
using Spectre.Console;
using Vapora.Bench.Cli;
using Vapora.Bench.Publishing;
using Vapora.Bench.Targets;
using Vapora.Bench.Workers;

namespace Vapora.Bench.Clients;

/// <summary>Connects a run's clients in the harness itself or over worker processes (<c>--workers</c>).</summary>
internal static class Fleets
{
    /// <summary>
    /// Connects every client from the target's plan and waits until the server has them all. Any failure fails the run.
    /// </summary>
    public static async Task<IFleet> ConnectAsync(IBenchTarget target, LoadOptions options, ProgressTask progress, CancellationToken cancellationToken) =>
        await ConnectAsync(target, target.Plan, options, progress, cancellationToken);

    public static async Task<IFleet> ConnectAsync(IBenchTarget target, ConnectPlan plan, LoadOptions options, ProgressTask progress, CancellationToken cancellationToken)
    {
        IFleet fleet = options.Workers == 0
            ? await ClientFleet.ConnectAsync(plan, 0, options.Clients, options.Workflows, options.ConnectConcurrency, worker: false,
                () => progress.Increment(1), cancellationToken)
            : await WorkerFleet.ConnectAsync(plan, options.Clients, options.Workflows, options.Workers, options.ConnectConcurrency,
                count => progress.Increment(count), cancellationToken);
        try
        {
            await target.WaitUntilWatchingAsync(options.Clients, cancellationToken);
        }
        catch
        {
            await fleet.DisposeAsync();
            throw;
        }

        return fleet;
    }

    /// <summary>
    /// After the last publish: waits until every update in flight was answered and the clients received every update
    /// that went out (at most <paramref name="drain"/>), then collects what they received.
    /// </summary>
    public static async Task<(long[] Accepted, long Expected, FleetResult Result)> DrainAsync(IFleet fleet, IUpdatePublisher publisher, LoadOptions options,
        TimeSpan drain, CancellationToken cancellationToken)
    {
        await publisher.FlushAsync(cancellationToken).WaitAsync(TimeSpan.FromSeconds(60), cancellationToken);
        var accepted = Enumerable.Range(0, options.Workflows).Select(publisher.Accepted).ToArray();
        var expected = Expected(options, accepted);
        var deadline = Stopwatch.GetTimestamp() + (long)(drain.TotalSeconds * Stopwatch.Frequency);
        while (await fleet.DeliveredAsync() < expected && Stopwatch.GetTimestamp() < deadline)
        {
            await Task.Delay(50, cancellationToken);
        }

        return (accepted, expected, await fleet.ResultAsync(accepted));
    }

    /// <summary>Deliveries owed to the measured clients (all but the first --stalled) for <paramref name="accepted"/> updates per workflow.</summary>
    public static long Expected(LoadOptions options, IReadOnlyList<long> accepted)
    {
        long expected = 0;
        for (var i = options.Stalled; i < options.Clients; i++)
        {
            expected += accepted[i % options.Workflows];
        }

        return expected;
    }
}
