using Vapora.Bench.Clients;

namespace Vapora.Bench.Workers;

/// <summary>
/// The run's clients spread over worker processes (<c>--workers N</c>), each holding a contiguous share of the client
/// indices; figures are merged here: sums, one latency histogram, every resume timing.
/// </summary>
internal sealed class WorkerFleet : IFleet
{
    private readonly List<WorkerProcess> _workers;

    private WorkerFleet(List<WorkerProcess> workers) => _workers = workers;

    public TimeSpan ConnectTime { get; private set; }

    public IReadOnlyList<int> ProcessIds => [.. _workers.Select(w => w.Pid)];

    public static async Task<WorkerFleet> ConnectAsync(ConnectPlan plan, int clients, int workflows, int workers, int concurrency,
        Action<int> connected, CancellationToken cancellationToken)
    {
        var fleet = new WorkerFleet([.. Enumerable.Range(0, workers).Select(_ => WorkerProcess.Start())]);
        try
        {
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            await Task.WhenAll(fleet._workers.Select(async (worker, k) =>
            {
                var first = (int)((long)clients * k / workers);
                var count = (int)((long)clients * (k + 1) / workers) - first;
                await worker.SendAsync(new WorkerRequest(WorkerMessages.Connect, plan, first, count, workflows, Math.Max(1, concurrency / workers)), cancellationToken);
                connected(count);
            }));
            fleet.ConnectTime = System.Diagnostics.Stopwatch.GetElapsedTime(started);
        }
        catch
        {
            await fleet.DisposeAsync();
            throw;
        }

        return fleet;
    }

    public Task StartWindowAsync(long at) => AllAsync(new WorkerRequest(WorkerMessages.WindowStart, At: at));

    public Task EndWindowAsync(long at) => AllAsync(new WorkerRequest(WorkerMessages.WindowEnd, At: at));

    public Task StallAsync(int count) => AllAsync(new WorkerRequest(WorkerMessages.Stall, Stalled: count));

    public async Task<long> DeliveredAsync() =>
        (await Task.WhenAll(_workers.Select(w => w.SendAsync(new WorkerRequest(WorkerMessages.Delivered), CancellationToken.None)))).Sum(r => r.Value);

    public async Task<FleetResult> ResultAsync(IReadOnlyList<long> accepted)
    {
        var replies = await Task.WhenAll(_workers.Select(w => w.SendAsync(new WorkerRequest(WorkerMessages.Result, Accepted: [.. accepted]), CancellationToken.None)));
        return FleetResult.Merge([.. replies.Select(r => r.Result!)]);
    }

    public async ValueTask DisposeAsync()
    {
        await Task.WhenAll(_workers.Select(w => w.DisposeAsync().AsTask()));
    }

    private Task AllAsync(WorkerRequest request) => Task.WhenAll(_workers.Select(w => w.SendAsync(request, CancellationToken.None)));
}
