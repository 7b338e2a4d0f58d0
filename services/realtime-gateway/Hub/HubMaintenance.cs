using Microsoft.Extensions.Options;
using Vapora.RealtimeGateway.CatchUp;
using Vapora.RealtimeGateway.Internal;

namespace Vapora.RealtimeGateway.Hub;

/// <summary>
/// The hub's background work: unsubscribing idle workflows after their grace period, and the convergence
/// check, which compares quiet workflows with the API so that an update whose publish was lost still arrives.
/// </summary>
internal sealed class HubMaintenance(WorkflowHub hub, IOptions<GatewayOptions> options, TimeProvider time, ILogger<HubMaintenance> logger)
    : BackgroundService
{
    private readonly GatewayOptions _options = options.Value;

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(hub.ReapIdleTopicsAsync(stoppingToken).IgnoreCancellation(), CheckConvergenceAsync(stoppingToken).IgnoreCancellation());

    private async Task CheckConvergenceAsync(CancellationToken stoppingToken)
    {
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = stoppingToken };
        while (!stoppingToken.IsCancellationRequested)
        {
            await Task.Delay(TimeSpan.FromSeconds(1), time, stoppingToken);

            // Quiet the longest first, at most the configured number per second.
            var due = hub.Topics
                .Where(t => t.Ready.IsCompletedSuccessfully && time.GetElapsedTime(Volatile.Read(ref t.LastConfirmed)) >= _options.ConvergenceCheckInterval)
                .OrderBy(t => Volatile.Read(ref t.LastConfirmed))
                .Take(_options.ConvergenceChecksPerSecond)
                .ToList();
            await Parallel.ForEachAsync(due, parallel, async (topic, ct) =>
            {
                try
                {
                    await topic.CheckConvergenceAsync(ct);
                }
                catch (UpdateLogUnavailableException ex)
                {
                    GatewayLog.ConvergenceCheckFailed(logger, topic.WorkflowId, ex);
                }
            });
        }
    }
}

internal static class TaskExtensions
{
    /// <summary>Awaits a loop that ends by cancellation at shutdown.</summary>
    public static async Task IgnoreCancellation(this Task task)
    {
        try
        {
            await task;
        }
        catch (OperationCanceledException)
        {
        }
    }
}
