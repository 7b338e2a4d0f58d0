using System.ComponentModel.DataAnnotations;

namespace Vapora.RealtimeGateway.Hub;

/// <summary>The watched workflows' settings (section <c>Gateway</c>): backplane messages, memory per workflow, repair and convergence.</summary>
public sealed class HubOptions
{
    /// <summary>Configuration section (shared with the gateway's other options: the keys are the documented ones).</summary>
    public const string SectionName = "Gateway";

    /// <summary>Largest message accepted from Redis; larger ones are dropped and counted (an update is a few hundred bytes).</summary>
    [Range(1024, 16 * 1024 * 1024)]
    public int MaxBackplaneMessageBytes { get; set; } = 64 * 1024;

    /// <summary>How long a workflow's Redis channel stays subscribed after its last local watcher left (avoids churn).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan UnsubscribeGracePeriod { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Recent updates kept per watched workflow, so resumes and late joiners catch up without asking the API.</summary>
    [Range(0, 100_000)]
    public int RecentUpdatesPerWorkflow { get; set; } = 128;

    /// <summary>
    /// Memory for the recent updates' bytes, shared by all watched workflows (a circular log: the oldest go first, and a
    /// resume from before them reads the API's history). 0 keeps each recent update as an object instead, which the GC
    /// promotes one by one.
    /// </summary>
    [Range(typeof(long), "0", "68719476736")]
    public long RecentFramesMaxBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>
    /// How often each watched workflow is compared with the API even when nothing arrives, to catch an update whose
    /// publish was lost. Checks are spread out and rate-limited by <see cref="ConvergenceChecksPerSecond"/>.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan ConvergenceCheckInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Upper bound on convergence checks per second, across all workflows.</summary>
    [Range(1, 100_000)]
    public int ConvergenceChecksPerSecond { get; set; } = 50;

    /// <summary>Gap repairs and resyncs that may call the API at once.</summary>
    [Range(1, 1000)]
    public int MaxConcurrentRepairs { get; set; } = 16;
}
