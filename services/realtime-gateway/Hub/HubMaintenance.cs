using Microsoft.Extensions.Options;
using Vapora.RealtimeGateway.UpdateLog;
using Vapora.RealtimeGateway.Internal;

namespace Vapora.RealtimeGateway.Hub;

/// <summary>
/// The registry's background work: removing idle workflows after their grace period, and the convergence check,
/// which compares quiet workflows with the API so that an update whose publish was lost still arrives, and a store
/// restored from a backup (its log ends below the topic's head) is noticed.
/// </summary>
internal sealed class HubMaintenance(TopicRegistry topics, IUpdateLog updateLog, TopicRepair repair, IOptions<HubOptions> options, TimeProvider time,
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

            // Those a repeated version made due first, then the quiet the longest, at most the configured number per second.
            var due = topics.Topics
                .Where(t => t.TryGetQuietHead(out _) && (t.DueForCheck || time.GetElapsedTime(t.LastConfirmed) >= _options.ConvergenceCheckInterval))
                .OrderByDescending(t => t.DueForCheck)
                .ThenBy(t => t.LastConfirmed)
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

    /// <summary>
    /// Reads the log from the topic's head on (one read): a version after the head is a lost publish (repaired); a log
    /// without the head is a store rewound by a restore (the watchers are reset to its state); otherwise they agree.
    /// </summary>
    private async Task CheckAsync(WorkflowTopic topic, CancellationToken cancellationToken)
    {
        if (!topic.TryGetQuietHead(out var head))
        {
            return;
        }

        topic.ClearDueForCheck();
        var from = Math.Max(0, head - 1);
        var window = await updateLog.GetHistoryAsync(topic.WorkflowId, from, 2, cancellationToken);
        if (window is null)
        {
            // The workflow is gone (deleted by retention): nothing more will come for it.
            topic.Confirm();
        }
        else if (head > 0 && (window.Count == 0 || window[^1].Version < head))
        {
            var latest = window.Count == 0 ? from : window[^1].Version;
            GatewayLog.StoreRewound(logger, topic.WorkflowId, head, latest);
            await repair.RewindAsync(topic, cancellationToken);
        }
        else if (window.Count > 0 && window[^1].Version > head)
        {
            GatewayLog.ConvergenceRepair(logger, topic.WorkflowId, head, window[^1].Version);
            topic.RequestResync();
        }
        else
        {
            topic.Confirm();
        }
    }
}
