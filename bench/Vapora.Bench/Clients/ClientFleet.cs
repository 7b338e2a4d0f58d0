using System.Diagnostics;
using Spectre.Console;
using Vapora.Bench.Cli;
using Vapora.Bench.Measurement;
using Vapora.Bench.Publishing;
using Vapora.Bench.Targets;

namespace Vapora.Bench.Clients;

/// <summary>All clients of a run: client i watches workflow i mod W. Opened and closed with bounded concurrency.</summary>
internal sealed class ClientFleet : IAsyncDisposable
{
    private const int CloseConcurrency = 500;

    private readonly ClientTracker[] _trackers;
    private readonly IWatcher?[] _watchers;

    private ClientFleet(ClientTracker[] trackers)
    {
        _trackers = trackers;
        _watchers = new IWatcher?[trackers.Length];
    }

    public IReadOnlyList<ClientTracker> Trackers => _trackers;

    /// <summary>The clients that count: all but the stalled ones.</summary>
    public IEnumerable<ClientTracker> Measured => _trackers.Where(t => !t.Stalled);

    /// <summary>Makes the first <paramref name="count"/> clients (each on a different workflow when W ≥ count) stop reading.</summary>
    public void Stall(int count)
    {
        for (var i = 0; i < count; i++)
        {
            _trackers[i].Stalled = true;
            _watchers[i]!.Stall();
        }
    }

    public TimeSpan ConnectTime { get; private set; }

    /// <summary>
    /// Connects every client, at most <see cref="LoadOptions.ConnectConcurrency"/> at a time, and waits until the server
    /// has them all. Any failure fails the run: a run with fewer clients than asked would not compare.
    /// </summary>
    public static async Task<ClientFleet> ConnectAsync(IBenchTarget target, LoadOptions options, LatencyRecorder latency,
        ProgressTask progress, CancellationToken cancellationToken)
    {
        var fleet = new ClientFleet(Enumerable.Range(0, options.Clients).Select(i => new ClientTracker(i % options.Workflows, latency)).ToArray());
        var started = Stopwatch.GetTimestamp();
        try
        {
            await Parallel.ForAsync(0, options.Clients,
                new ParallelOptions { MaxDegreeOfParallelism = options.ConnectConcurrency, CancellationToken = cancellationToken },
                async (i, token) =>
                {
                    try
                    {
                        fleet._watchers[i] = await target.ConnectAsync(fleet._trackers[i], token);
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException || !token.IsCancellationRequested)
                    {
                        throw new InvalidOperationException($"Client {i} of {options.Clients} could not connect: {ex.GetBaseException().Message}", ex);
                    }

                    progress.Increment(1);
                });
            await target.WaitUntilWatchingAsync(options.Clients, cancellationToken);
        }
        catch
        {
            await fleet.DisposeAsync();
            throw;
        }

        fleet.ConnectTime = Stopwatch.GetElapsedTime(started);
        return fleet;
    }

    /// <summary>Different versions received so far, all clients together.</summary>
    public long Delivered() => Measured.Sum(t => t.Distinct);

    /// <summary>What all clients together should have received of what went out.</summary>
    public long Expected(IUpdatePublisher publisher) => Measured.Sum(t => publisher.Accepted(t.Workflow));

    public long Lost(IUpdatePublisher publisher) => Measured.Sum(t => Math.Max(0, publisher.Accepted(t.Workflow) - t.Distinct));

    /// <summary>The part of <see cref="Lost"/> below a version the client did receive.</summary>
    public long LostInGaps => Measured.Sum(t => t.Gaps);

    public long Disconnected => Measured.Count(t => t.ClosedBecause is not null);

    public string? FirstCloseReason => Measured.Select(t => t.ClosedBecause).FirstOrDefault(r => r is not null);

    public async ValueTask DisposeAsync() =>
        await Parallel.ForEachAsync(_watchers, new ParallelOptions { MaxDegreeOfParallelism = CloseConcurrency },
            async (watcher, _) =>
            {
                if (watcher is not null)
                {
                    await watcher.DisposeAsync();
                }
            });
}
