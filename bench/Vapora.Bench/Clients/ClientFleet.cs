using System.Diagnostics;
using Vapora.Bench.Measurement;

namespace Vapora.Bench.Clients;

/// <summary>
/// Clients held by this process: indices [first, first + count) of the run; client i watches workflow i mod W.
/// Opened and closed with bounded concurrency.
/// </summary>
internal sealed class ClientFleet : IFleet
{
    private const int CloseConcurrency = 500;

    private readonly ClientTracker[] _trackers;
    private readonly IWatcher?[] _watchers;
    private readonly LatencyRecorder _latency = new();
    private readonly TokenTally _tokens = new();
    private readonly HttpMessageInvoker _invoker = new(new SocketsHttpHandler());
    private readonly int _first;
    private readonly bool _worker;
    private TimeSpan _gcAtWindowStart;
    private TimeSpan _gcInWindow;
    private TokenCounts _tokensAtWindowStart = new();
    private TokenCounts? _tokensAtWindowEnd;

    private ClientFleet(int first, int count, int workflows, bool worker)
    {
        _first = first;
        _worker = worker;
        _trackers = [.. Enumerable.Range(first, count).Select(i => new ClientTracker(i % workflows, _latency))];
        _watchers = new IWatcher?[count];
    }

    public TimeSpan ConnectTime { get; private set; }

    public IReadOnlyList<int> ProcessIds => [];

    /// <summary>The clients that count: all but the stalled ones.</summary>
    private IEnumerable<ClientTracker> Measured => _trackers.Where(t => !t.Stalled);

    /// <summary>
    /// Connects clients [first, first + count) from <paramref name="plan"/>, at most <paramref name="concurrency"/> at a
    /// time. Any failure fails the run: a run with fewer clients than asked would not compare.
    /// </summary>
    /// <param name="worker">True in a worker process: its GC pauses in the window are reported with the result.</param>
    public static async Task<ClientFleet> ConnectAsync(ConnectPlan plan, int first, int count, int workflows, int concurrency, bool worker,
        Action? connected, CancellationToken cancellationToken)
    {
        var fleet = new ClientFleet(first, count, workflows, worker);
        var started = Stopwatch.GetTimestamp();
        try
        {
            await Parallel.ForAsync(0, count,
                new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = cancellationToken },
                async (i, token) =>
                {
                    try
                    {
                        fleet._watchers[i] = await plan.ConnectAsync(fleet._trackers[i], fleet._invoker, fleet._tokens, token);
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException || !token.IsCancellationRequested)
                    {
                        throw new InvalidOperationException($"Client {first + i} could not connect: {ex.GetBaseException().Message}", ex);
                    }

                    connected?.Invoke();
                });
        }
        catch
        {
            await fleet.DisposeAsync();
            throw;
        }

        fleet.ConnectTime = Stopwatch.GetElapsedTime(started);
        return fleet;
    }

    public Task StartWindowAsync(long at)
    {
        _gcAtWindowStart = GC.GetTotalPauseDuration();
        _tokensAtWindowStart = _tokens.Snapshot();
        _latency.StartWindow(at);
        return Task.CompletedTask;
    }

    public Task EndWindowAsync(long at)
    {
        _latency.EndWindow(at);
        _gcInWindow = GC.GetTotalPauseDuration() - _gcAtWindowStart;
        _tokensAtWindowEnd = _tokens.Snapshot();
        return Task.CompletedTask;
    }

    /// <summary>Makes the run's first <paramref name="count"/> clients (each on a different workflow when W ≥ count) stop reading.</summary>
    public Task StallAsync(int count)
    {
        for (var i = 0; i < _trackers.Length && _first + i < count; i++)
        {
            _trackers[i].Stalled = true;
            _watchers[i]!.Stall();
        }

        return Task.CompletedTask;
    }

    public Task<long> DeliveredAsync() => Task.FromResult(Measured.Sum(t => t.Distinct));

    public Task<FleetResult> ResultAsync(IReadOnlyList<long> accepted) => Task.FromResult(new FleetResult
    {
        Delivered = Measured.Sum(t => t.Distinct),
        Lost = Measured.Sum(t => Math.Max(0, accepted[t.Workflow] - t.Distinct)),
        LostInGaps = Measured.Sum(t => t.Gaps),
        Duplicated = Measured.Sum(t => t.Duplicated),
        Reordered = Measured.Sum(t => t.Reordered),
        Unreadable = Measured.Sum(t => t.Unreadable),
        Disconnected = Measured.Count(t => t.ClosedBecause is not null),
        ReceivedInWindow = Measured.Sum(t => t.ReceivedInWindow),
        FirstProblem = Measured.Select(t => t.ClosedBecause).FirstOrDefault(r => r is not null),
        FirstGap = Measured.Select(t => t.DescribeGaps()).FirstOrDefault(g => g is not null),
        WorkerGcPausedMs = _worker ? _gcInWindow.TotalMilliseconds : 0,
        Latency = FleetResult.Encode(_latency.Merge()),
        Resumes = [.. Measured.Where(t => t.Reconnected).Select(t => new[] { t.DisconnectedAt, t.LiveAgainAt })],
        Tokens = (_tokensAtWindowEnd ?? _tokens.Snapshot()).Minus(_tokensAtWindowStart),
    });

    public async ValueTask DisposeAsync()
    {
        await Parallel.ForEachAsync(_watchers, new ParallelOptions { MaxDegreeOfParallelism = CloseConcurrency },
            async (watcher, _) =>
            {
                if (watcher is not null)
                {
                    await watcher.DisposeAsync();
                }
            });
        _invoker.Dispose();
        _latency.Dispose();
    }
}
