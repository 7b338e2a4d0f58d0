using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;
using Polly.Timeout;
using StackExchange.Redis;
using Vapora.ServiceDefaults;
using Vapora.WorkflowApi.Internal;
using Vapora.WorkflowApi.Persistence;

namespace Vapora.WorkflowApi.Messaging;

/// <summary>
/// Finishes updates that were stored but not finished: never published (Redis was down, or the process died between
/// store and publish), or published without their workflow's summary moved (the summary write failed). It moves the
/// summary forward, publishes, and marks them done. Works from the store, so it also finishes the work of an API
/// replica that crashed. Every replica runs one, but only the one holding the store's outbox-relay lease relays, so
/// that each entry is published once however many replicas there are; the others stand by and take over within
/// <c>Publishing:RelayLeaseDuration</c> when it stops. Each workflow's versions go out in order.
/// </summary>
public sealed class OutboxRelay : BackgroundService
{
    /// <summary>The most the relay counts of a backlog bigger than one batch: the ceiling of <c>vapora.api.outbox.backlog</c>.</summary>
    public const long BacklogCountCap = 1_000_000;

    /// <summary>The name of the lease in the store.</summary>
    public const string LeaseName = "outbox-relay";

    private readonly IStoragePrimitives _storage;
    private readonly IUpdatePublisher _publisher;
    private readonly ApiMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly PublishingOptions _options;
    private readonly ILogger<OutboxRelay> _logger;
    private readonly ResiliencePipeline _publishPipeline;
    private readonly LogBurst _failureLog;
    private readonly LogBurst _countFailureLog;
    private readonly StoreLease _lease;
    private OutboxBacklog? _lastMeasured;
    private long? _lastMeasureAttempt;

    /// <summary>Creates the relay.</summary>
    public OutboxRelay(IStoragePrimitives storage, IUpdatePublisher publisher, ApiMetrics metrics, TimeProvider time,
        IOptions<PublishingOptions> options, ILogger<OutboxRelay> logger)
    {
        _storage = storage;
        _publisher = publisher;
        _metrics = metrics;
        _time = time;
        _options = options.Value;
        _logger = logger;
        _failureLog = new LogBurst(time);
        _countFailureLog = new LogBurst(time);
        _lease = new StoreLease(LeaseName, _options.RelayLeaseDuration, storage, time, metrics);
        _publishPipeline = new ResiliencePipelineBuilder { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder()
                    .Handle<RedisException>()
                    .Handle<TimeoutException>()
                    .Handle<TimeoutRejectedException>(),
                MaxRetryAttempts = _options.RelayMaxAttempts - 1,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(200),
                MaxDelay = TimeSpan.FromSeconds(5),
            })
            .AddTimeout(_options.PublishTimeout * 2)
            .Build();
    }

    /// <summary>This relay's name as the holder of the outbox-relay lease.</summary>
    public string LeaseOwner => _lease.Owner;

    /// <summary>
    /// Finishes what is due once, when this replica holds the outbox-relay lease; returns how many updates it finished
    /// (published, with their summary moved), 0 when another replica holds the lease.
    /// </summary>
    public async Task<int> RunOnceAsync(TimeSpan grace, CancellationToken cancellationToken)
    {
        var wasHeld = _lease.IsHeld;
        if (!await _lease.TryHoldAsync(cancellationToken))
        {
            if (wasHeld)
            {
                OutboxLog.LeaseLost(_logger, _lease.Owner);
            }

            // The holder measures the backlog; this replica's gauges would only repeat an old reading.
            _metrics.SetOutboxBacklog(0, null);
            (_lastMeasured, _lastMeasureAttempt) = (null, null);
            return 0;
        }

        if (!wasHeld)
        {
            OutboxLog.LeaseTaken(_logger, _lease.Owner, _lease.Duration);
        }

        var acceptedBefore = _time.GetUtcNow() - grace;
        var due = await _storage.ScanUnpublishedAsync(acceptedBefore, _options.OutboxBatchSize, cancellationToken);
        var backlog = await MeasureBacklogAsync(acceptedBefore, due, cancellationToken);
        _metrics.SetOutboxBacklog(backlog.Count, backlog.OldestAcceptedAt);
        if (due.Count == 0)
        {
            return 0;
        }

        var summariesBehind = await MoveSummariesAsync(due, cancellationToken);
        var done = new List<UpdateKey>(due.Count);
        var published = 0;
        try
        {
            foreach (var entry in due)
            {
                // A pass that outlasts a third of the lease (publish retries) renews it; one that lost it stops, so two
                // replicas never publish the same entries.
                if (!await _lease.TryHoldAsync(cancellationToken))
                {
                    break;
                }

                await _publishPipeline.ExecuteAsync(
                    static (state, ct) => new ValueTask(state.Publisher.PublishAsync(state.Update, ct)),
                    (Publisher: _publisher, entry.Update),
                    cancellationToken);
                published++;
                _metrics.Published(relayed: true);
                if (!summariesBehind.Contains(entry.WorkflowId))
                {
                    done.Add(entry.Key);
                }
            }
        }
        finally
        {
            await _storage.MarkPublishedAsync(done, CancellationToken.None);
            if (published > 0)
            {
                OutboxLog.Relayed(_logger, published, due.Count);
            }
        }

        return done.Count;
    }

    // A batch smaller than the limit is the whole backlog, and its oldest update the oldest of all. A full one says
    // only "at least this many", and, ordered by workflow and version, not by age, it may miss the oldest: so the
    // backlog is measured, at most once per OutboxCountInterval while batches keep coming back full (a measurement
    // reads every unpublished entry). In between the last measurement stands: its oldest can only have been published
    // since, so the age errs high, never low, for at most the interval. A failed measurement costs the gauges their
    // precision (they show the batch alone), never the relay its pass.
    private async Task<OutboxBacklog> MeasureBacklogAsync(DateTimeOffset acceptedBefore, IReadOnlyList<LogEntry> due, CancellationToken cancellationToken)
    {
        // The update's timestamp is the accepting replica's clock a moment before the store's accepted_at.
        var batch = new OutboxBacklog(due.Count, due.Count == 0 ? null : due.Min(e => e.Update.Update.Timestamp));
        if (due.Count < _options.OutboxBatchSize)
        {
            (_lastMeasured, _lastMeasureAttempt) = (null, null);
            return batch;
        }

        if (_lastMeasureAttempt is { } attempted && _time.GetElapsedTime(attempted) < _options.OutboxCountInterval)
        {
            return Widen(batch, _lastMeasured);
        }

        _lastMeasureAttempt = _time.GetTimestamp();
        try
        {
            _lastMeasured = await _storage.MeasureUnpublishedAsync(acceptedBefore, BacklogCountCap, cancellationToken);
            return Widen(batch, _lastMeasured);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            _lastMeasured = null;
            if (_countFailureLog.ShouldLog(out var skipped))
            {
                OutboxLog.BacklogCountFailed(_logger, due.Count, skipped, ex);
            }

            return batch;
        }
    }

    // Two reads at different moments, each a bound: the backlog holds at least the larger count, and nothing due is
    // older than the older of the two oldest (entries accepted since are newer).
    private static OutboxBacklog Widen(OutboxBacklog batch, OutboxBacklog? measured) =>
        measured is not { } m
            ? batch
            : new OutboxBacklog(
                Math.Max(batch.Count, m.Count),
                m.OldestAcceptedAt < batch.OldestAcceptedAt ? m.OldestAcceptedAt : batch.OldestAcceptedAt);

    // Summaries only move forward, so moving each to its workflow's highest version in the batch is enough. A summary
    // that still cannot be moved keeps that workflow's entries in the outbox for the next pass, without holding up
    // the other workflows. Returns the workflows whose summary is still behind.
    private async Task<HashSet<string>> MoveSummariesAsync(IReadOnlyList<LogEntry> due, CancellationToken cancellationToken)
    {
        var behind = new HashSet<string>(StringComparer.Ordinal);
        foreach (var latest in due.GroupBy(e => e.WorkflowId).Select(g => g.MaxBy(e => e.Version)!))
        {
            try
            {
                if (await _storage.UpsertSummaryAsync(latest, cancellationToken))
                {
                    _metrics.SummaryRepaired();
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                behind.Add(latest.WorkflowId);
                if (_failureLog.ShouldLog(out var skipped))
                {
                    OutboxLog.SummaryStillBehind(_logger, latest.WorkflowId, latest.Version, skipped, ex);
                }
            }
        }

        return behind;
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var full = false;
            try
            {
                full = await RunOnceAsync(_options.OutboxGrace, stoppingToken) == _options.OutboxBatchSize;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                if (_failureLog.ShouldLog(out var skipped))
                {
                    OutboxLog.PassFailed(_logger, skipped, ex);
                }
            }

            if (!full)
            {
                try
                {
                    await Task.Delay(_options.OutboxPollInterval, _time, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }

        await FlushOnShutdownAsync();
    }

    // Stopping: publish everything still unpublished, without the grace period, within a few seconds (when this replica
    // holds the lease, or takes it: the holder relays what this one leaves), then give the lease up for another to take.
    private async Task FlushOnShutdownAsync()
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(5), _time);
        try
        {
            while (await RunOnceAsync(TimeSpan.Zero, deadline.Token) > 0)
            {
            }
        }
        catch (Exception ex)
        {
            OutboxLog.ShutdownFlushIncomplete(_logger, ex);
        }

        try
        {
            await _lease.ReleaseAsync(deadline.Token);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            OutboxLog.LeaseNotReleased(_logger, _lease.Duration, ex);
        }
    }
}
