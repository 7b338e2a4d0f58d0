using System.ComponentModel.DataAnnotations;

namespace Vapora.WorkflowApi.Messaging;

/// <summary>How updates reach Redis (section <c>Publishing</c>).</summary>
public sealed class PublishingOptions
{
    /// <summary>Configuration section.</summary>
    public const string SectionName = "Publishing";

    /// <summary>How long a request waits for its publish before leaving it to the outbox relay.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:01:00")]
    public TimeSpan PublishTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often the outbox relay looks for stored but unpublished updates.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00")]
    public TimeSpan OutboxPollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How old an unpublished update must be before the relay takes it; longer than
    /// <see cref="PublishTimeout"/>, so the relay does not race a request still publishing.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan OutboxGrace { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>Updates per relay pass.</summary>
    [Range(1, 10_000)]
    public int OutboxBatchSize { get; set; } = 500;

    /// <summary>
    /// While relay batches come back full, how often the relay measures the whole backlog: counts it for
    /// <c>vapora.api.outbox.backlog</c> (up to <see cref="OutboxRelay.BacklogCountCap"/>) and finds its oldest update for
    /// <c>vapora.api.outbox.oldest_age</c>; the gauges keep the latest measurement in between. A measurement reads every
    /// unpublished entry, so a relay draining a big backlog batch after batch does not pay for one per batch. Zero
    /// measures at every full batch.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan OutboxCountInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long the outbox-relay lease lasts unless renewed. One API replica at a time relays the outbox (the one holding
    /// the lease, renewed a third of the way through); when it stops, another takes over within this time.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan RelayLeaseDuration { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Publish attempts per update within one relay pass (exponential backoff with jitter between them).</summary>
    [Range(1, 20)]
    public int RelayMaxAttempts { get; set; } = 4;

    /// <summary>
    /// How often this replica sends its heartbeat to the gateways, on the connection its updates use. A gateway whose own
    /// Redis link delivers but that hears no heartbeat from a replica for twice this long (at least its
    /// <c>Gateway:BackplaneSilenceThreshold</c>) reads its watched workflows from the API until the replica is heard again.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:00:30")]
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(1);
}
