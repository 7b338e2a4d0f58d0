using Microsoft.Extensions.Options;
using Vapora.ServiceDefaults;
using Vapora.WorkflowApi.Internal;
using Vapora.WorkflowApi.Persistence;

namespace Vapora.WorkflowApi.Lifecycle;

/// <summary>
/// The data lifecycle: every <c>Retention:SweepInterval</c>, the replica holding the store's retention-sweep lease
/// compacts terminal workflows that ended <c>Retention:CompactAfter</c> ago to their last update, deletes those that
/// ended <c>Retention:DeleteAfter</c> ago, and deletes expired idempotency keys, in batches of
/// <c>Retention:SweepBatchSize</c> (one bounded round of deletes each). Running workflows are never touched; a workflow
/// with an entry the outbox still has to publish waits for a later sweep. Every replica measures how overdue the most
/// overdue workflow is (<c>vapora.api.retention.lag</c>), so the lag shows wherever it is scraped.
/// </summary>
public sealed class RetentionSweeper : BackgroundService
{
    /// <summary>The name of the lease in the store.</summary>
    public const string LeaseName = "retention-sweep";

    private readonly IStoragePrimitives _storage;
    private readonly RetentionOptions _options;
    private readonly RetentionMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger<RetentionSweeper> _logger;
    private readonly StoreLease _lease;
    private readonly LogBurst _failureLog;

    /// <summary>Creates the sweeper.</summary>
    public RetentionSweeper(IStoragePrimitives storage, IOptions<RetentionOptions> options, RetentionMetrics metrics, ApiMetrics apiMetrics,
        TimeProvider time, ILogger<RetentionSweeper> logger)
    {
        _storage = storage;
        _options = options.Value;
        _metrics = metrics;
        _time = time;
        _logger = logger;
        // Long enough for a batch; renewed between batches.
        _lease = new StoreLease(LeaseName, TimeSpan.FromMinutes(1), storage, time, apiMetrics);
        _failureLog = new LogBurst(time, TimeSpan.FromSeconds(60));
    }

    /// <summary>
    /// One sweep: compacts, deletes and expires what is due when this replica holds the lease (returns what it did), else
    /// returns null; measures the lag either way.
    /// </summary>
    public async Task<SweepResult?> SweepOnceAsync(CancellationToken cancellationToken)
    {
        SweepResult? result = null;
        if (await _lease.TryHoldAsync(cancellationToken))
        {
            var started = _time.GetTimestamp();
            var now = _time.GetUtcNow();
            var compacted = await SweepStageAsync(RetentionStage.Compact, now - _options.CompactAfter, cancellationToken);
            var deleted = await SweepStageAsync(RetentionStage.Delete, now - _options.DeleteAfter, cancellationToken);
            var keys = await ExpireKeysAsync(now, cancellationToken);
            var took = _time.GetElapsedTime(started);
            _metrics.SweepTook(took);
            result = new SweepResult(compacted, deleted, keys);
            if (compacted.Workflows + deleted.Workflows + keys > 0 || compacted.Waiting + deleted.Waiting > 0)
            {
                RetentionLog.Swept(_logger, compacted.Workflows, compacted.Entries, deleted.Workflows, deleted.Entries, keys, took,
                    compacted.Waiting + deleted.Waiting);
            }
        }

        await MeasureLagAsync(cancellationToken);
        return result;
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        RetentionLog.Settings(_logger, _options.CompactAfter, _options.DeleteAfter, _options.IdempotencyKeyLifetime, _options.SweepInterval);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await SweepOnceAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                if (_failureLog.ShouldLog(out var skipped))
                {
                    RetentionLog.SweepFailed(_logger, _options.SweepInterval, skipped, ex);
                }
            }

            try
            {
                await Task.Delay(_options.SweepInterval, _time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        try
        {
            await _lease.ReleaseAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(2), _time);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // It expires by itself within a minute.
        }
    }

    // Batch after batch, oldest first, until none is due or a batch did nothing (all of it waits for the outbox), or
    // the lease is lost.
    private async Task<RetentionResult> SweepStageAsync(RetentionStage stage, DateTimeOffset terminalBefore, CancellationToken cancellationToken)
    {
        var total = default(RetentionResult);
        while (await _lease.TryHoldAsync(cancellationToken))
        {
            var due = await _storage.FindRetentionDueAsync(stage, terminalBefore, _options.SweepBatchSize, cancellationToken);
            if (due.Count == 0)
            {
                break;
            }

            var batch = stage == RetentionStage.Compact
                ? await _storage.CompactAsync(due, cancellationToken)
                : await _storage.DeleteWorkflowsAsync(due, cancellationToken);
            _metrics.Swept(stage, batch);
            total = total.Add(batch);
            if (batch.Workflows == 0 || due.Count < _options.SweepBatchSize)
            {
                break;
            }
        }

        return total;
    }

    private async Task<long> ExpireKeysAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        long total = 0;
        while (await _lease.TryHoldAsync(cancellationToken))
        {
            var deleted = await _storage.DeleteExpiredIdempotencyKeysAsync(now, _options.SweepBatchSize, cancellationToken);
            _metrics.KeysExpired(deleted);
            total += deleted;
            if (deleted < _options.SweepBatchSize)
            {
                break;
            }
        }

        return total;
    }

    // The most overdue workflow of each stage is the first candidate (candidates come longest-ended first).
    private async Task MeasureLagAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var compact = await _storage.FindRetentionDueAsync(RetentionStage.Compact, now - _options.CompactAfter, 1, cancellationToken);
        var delete = await _storage.FindRetentionDueAsync(RetentionStage.Delete, now - _options.DeleteAfter, 1, cancellationToken);
        DateTimeOffset? dueSince = null;
        if (compact is [var c])
        {
            dueSince = c.TerminalAt + _options.CompactAfter;
        }

        if (delete is [var d] && (dueSince is null || d.TerminalAt + _options.DeleteAfter < dueSince))
        {
            dueSince = d.TerminalAt + _options.DeleteAfter;
        }

        _metrics.SetDueSince(dueSince);
    }
}
