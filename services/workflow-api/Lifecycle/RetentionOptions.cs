using System.ComponentModel.DataAnnotations;

namespace Vapora.WorkflowApi.Lifecycle;

/// <summary>
/// How long what is stored is kept (section <c>Retention</c>): terminal workflows are compacted, then deleted; running
/// workflows are never touched; idempotency keys expire.
/// </summary>
public sealed class RetentionOptions
{
    /// <summary>Configuration section.</summary>
    public const string SectionName = "Retention";

    /// <summary>
    /// How long after a workflow reaches a terminal status its history is compacted to its last update. A client that
    /// resumes from before that point gets the current state marked as a reset.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "3650.00:00:00")]
    public TimeSpan CompactAfter { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How long after a workflow reaches a terminal status it is deleted entirely (404, gone from lists). Longer than <see cref="CompactAfter"/>.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "3650.00:00:00")]
    public TimeSpan DeleteAfter { get; set; } = TimeSpan.FromDays(90);

    /// <summary>How often the sweep looks for workflows to compact or delete and keys that expired.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "1.00:00:00")]
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Workflows (or keys) per batch of the sweep: each batch is one bounded round of deletes (one transaction on SQLite).</summary>
    [Range(1, 10_000)]
    public int SweepBatchSize { get; set; } = 200;

    /// <summary>
    /// How long an Idempotency-Key replays its first answer; after that the same key names a new request. Shorter than
    /// <see cref="CompactAfter"/>, so a key never outlives the history it points to.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "30.00:00:00")]
    public TimeSpan IdempotencyKeyLifetime { get; set; } = TimeSpan.FromHours(24);
}
