using Microsoft.Extensions.Options;
using Vapora.RealtimeGateway.UpdateLog;
using Vapora.RealtimeGateway.Internal;

namespace Vapora.RealtimeGateway.Hub;

/// <summary>
/// The registry's background work: removing idle workflows after their grace period, and the convergence check,
/// which compares quiet workflows with the API so that an update whose publish was lost still arrives.
/// </summary>
internal sealed class HubMaintenance(TopicRegistry topics, IUpdateLog updateLog, IOptions<HubOptions> options, TimeProvider time,
    ILogger<HubMaintenance> logger) : BackgroundService
{
    private readonly HubOptions _options = options.Value;

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(topics.ReapIdleTopicsAsync(stoppingToken).IgnoreCancellation(), CheckConvergenceAsync(stoppingToken).IgnoreCancellation());

    private async Task CheckConvergenceAsync(CancellationToken stoppingToken)
    {
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = stoppingToken };
        while (!stoppingToken.IsCancellationRequested)
        {
            await Task.Delay(TimeSpan.FromSeconds(1), time, stoppingToken);

            // Quiet the longest first, at most the configured number per second.
            var due = topics.Topics
                .Where(t => t.TryGetQuietHead(out _) && time.GetElapsedTime(t.LastConfirmed) >= _options.ConvergenceCheckInterval)
                .OrderBy(t => t.LastConfirmed)
                .Take(_options.ConvergenceChecksPerSecond)
                .ToList();
            await Parallel.ForEachAsync(due, parallel, async (topic, ct) =>
            {
                try
                {
                    await CheckAsync(topic, ct);
                }
                catch (Exception ex) when (!ct.IsCancellationRequested)
                {
                    // One workflow's failed check (API down, or anything unexpected) must not end the loop for all.
                    GatewayLog.ConvergenceCheckFailed(logger, topic.WorkflowId, ex);
                }
            });
        }
    }

    /// <summary>Asks the API whether anything newer than the topic's head exists (a lost publish); repairs if so.</summary>
    private async Task CheckAsync(WorkflowTopic topic, CancellationToken cancellationToken)
    {
        if (!topic.TryGetQuietHead(out var head))
        {
            return;
        }

        var newer = await updateLog.GetHistoryAsync(topic.WorkflowId, head, 1, cancellationToken);
        if (newer is { Count: > 0 })
        {
            GatewayLog.ConvergenceRepair(logger, topic.WorkflowId, head, newer[0].Version);
            topic.RequestResync();
        }
        else
        {
            topic.Confirm();
        }
    }
}
