using Microsoft.Extensions.Options;
using Vapora.Contracts;
using Vapora.ServiceDefaults;
using Vapora.WorkflowApi.Internal;

namespace Vapora.WorkflowApi.Persistence;

/// <summary>
/// What every store call goes through, whatever the store: a bound (<c>Storage:OperationTimeout</c>) after which the
/// call is abandoned, the time of every call by operation (<c>vapora.api.store.duration</c>) and a count of every
/// failure by operation and kind (<c>vapora.api.store.errors</c>). An outage, a store that cannot be reached or does not
/// answer in time, becomes a <see cref="StoreUnavailableException"/> (503 with Retry-After); a defect (the store refuses
/// what it is asked, bugs, unreadable data) goes on as it is (500), logged as an error each time and counted with
/// <c>kind="defect"</c>, which pages.
/// </summary>
public sealed class BoundedStorage : IStoragePrimitives
{
    /// <summary>Service key of the store this wraps (the configured MongoDB, SQLite or memory storage).</summary>
    public const string BackendKey = "backend";

    private readonly IStoragePrimitives _inner;
    private readonly TimeSpan _timeout;
    private readonly ApiMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly LogBurst _failureLog;
    private readonly IStoreCallHook[] _hooks;

    /// <summary>Wraps <paramref name="inner"/>.</summary>
    public BoundedStorage(
        IStoragePrimitives inner, IOptions<StorageOptions> options, ApiMetrics metrics, TimeProvider time, ILogger<BoundedStorage> logger,
        IEnumerable<IStoreCallHook> hooks)
    {
        _inner = inner;
        _hooks = hooks.ToArray();
        _timeout = options.Value.OperationTimeout;
        _metrics = metrics;
        _time = time;
        _logger = logger;
        _failureLog = new LogBurst(time);
    }

    /// <inheritdoc />
    public Task<bool> TryAppendAsync(LogEntry entry, CancellationToken cancellationToken) =>
        CallAsync("append", (s, ct) => s.TryAppendAsync(entry, ct), cancellationToken);

    /// <inheritdoc />
    public Task<LogEntry?> ReadLatestAsync(string workflowId, CancellationToken cancellationToken) =>
        CallAsync("read_latest", (s, ct) => s.ReadLatestAsync(workflowId, ct), cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<StoredUpdate>> ReadRangeAsync(string workflowId, long afterVersion, int limit, CancellationToken cancellationToken) =>
        CallAsync("read_range", (s, ct) => s.ReadRangeAsync(workflowId, afterVersion, limit, ct), cancellationToken);

    /// <inheritdoc />
    public Task<bool> UpsertSummaryAsync(LogEntry entry, CancellationToken cancellationToken) =>
        CallAsync("upsert_summary", (s, ct) => s.UpsertSummaryAsync(entry, ct), cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<WorkflowState>> ListSummariesAsync(WorkflowStatus? status, string? beforeId, int limit, CancellationToken cancellationToken) =>
        CallAsync("list_summaries", (s, ct) => s.ListSummariesAsync(status, beforeId, limit, ct), cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<LogEntry>> ScanUnpublishedAsync(DateTimeOffset acceptedBefore, int limit, CancellationToken cancellationToken) =>
        CallAsync("outbox_scan", (s, ct) => s.ScanUnpublishedAsync(acceptedBefore, limit, ct), cancellationToken);

    /// <inheritdoc />
    public Task<OutboxBacklog> MeasureUnpublishedAsync(DateTimeOffset acceptedBefore, long cap, CancellationToken cancellationToken) =>
        CallAsync("outbox_count", (s, ct) => s.MeasureUnpublishedAsync(acceptedBefore, cap, ct), cancellationToken);

    /// <inheritdoc />
    public Task MarkPublishedAsync(IReadOnlyCollection<UpdateKey> keys, CancellationToken cancellationToken) =>
        CallAsync("mark_published", async (s, ct) =>
        {
            await s.MarkPublishedAsync(keys, ct);
            return true;
        }, cancellationToken);

    /// <inheritdoc />
    public Task<long> ReadNewestVersionAsync(string workflowId, CancellationToken cancellationToken) =>
        CallAsync("read_newest", (s, ct) => s.ReadNewestVersionAsync(workflowId, ct), cancellationToken);

    /// <inheritdoc />
    public Task<IdempotencyClaim?> FindIdempotencyClaimAsync(SubjectKey key, DateTimeOffset now, CancellationToken cancellationToken) =>
        CallAsync("find_key", (s, ct) => s.FindIdempotencyClaimAsync(key, now, ct), cancellationToken);

    /// <inheritdoc />
    public Task<IdempotencyClaim> ClaimIdempotencyKeyAsync(IdempotencyClaim claim, DateTimeOffset now, CancellationToken cancellationToken) =>
        CallAsync("claim_key", (s, ct) => s.ClaimIdempotencyKeyAsync(claim, now, ct), cancellationToken);

    /// <inheritdoc />
    public Task<bool> ReplanIdempotencyClaimAsync(IdempotencyClaim current, LogEntry next, CancellationToken cancellationToken) =>
        CallAsync("replan_key", (s, ct) => s.ReplanIdempotencyClaimAsync(current, next, ct), cancellationToken);

    /// <inheritdoc />
    public Task<long> DeleteExpiredIdempotencyKeysAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken) =>
        CallAsync("expire_keys", (s, ct) => s.DeleteExpiredIdempotencyKeysAsync(now, limit, ct), cancellationToken);

    /// <inheritdoc />
    public Task<bool> TryAcquireLeaseAsync(string lease, string owner, TimeSpan duration, CancellationToken cancellationToken) =>
        CallAsync("lease", (s, ct) => s.TryAcquireLeaseAsync(lease, owner, duration, ct), cancellationToken);

    /// <inheritdoc />
    public Task ReleaseLeaseAsync(string lease, string owner, CancellationToken cancellationToken) =>
        CallAsync("lease", async (s, ct) =>
        {
            await s.ReleaseLeaseAsync(lease, owner, ct);
            return true;
        }, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<RetentionCandidate>> FindRetentionDueAsync(RetentionStage stage, DateTimeOffset terminalBefore, int limit, CancellationToken cancellationToken) =>
        CallAsync("retention_scan", (s, ct) => s.FindRetentionDueAsync(stage, terminalBefore, limit, ct), cancellationToken);

    /// <inheritdoc />
    public Task<RetentionResult> CompactAsync(IReadOnlyList<RetentionCandidate> workflows, CancellationToken cancellationToken) =>
        CallAsync("compact", (s, ct) => s.CompactAsync(workflows, ct), cancellationToken);

    /// <inheritdoc />
    public Task<RetentionResult> DeleteWorkflowsAsync(IReadOnlyList<RetentionCandidate> workflows, CancellationToken cancellationToken) =>
        CallAsync("delete", (s, ct) => s.DeleteWorkflowsAsync(workflows, ct), cancellationToken);

    /// <inheritdoc />
    public bool IsUnavailable(Exception exception) => exception is StoreUnavailableException || _inner.IsUnavailable(exception);

    private async Task<T> CallAsync<T>(string operation, Func<IStoragePrimitives, CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        using var bound = new CancellationTokenSource(_timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, bound.Token);
        var started = _time.GetTimestamp();
        try
        {
            // WaitAsync returns at the bound even from a driver call that ignores its token.
            return await (_hooks.Length == 0 ? call(_inner, linked.Token) : HookedAsync(operation, call, linked.Token)).WaitAsync(linked.Token);
        }
        catch (Exception ex) when (cancellationToken.IsCancellationRequested)
        {
            // The caller gave up (its request's deadline passed); the store did nothing wrong. Whatever the driver made of
            // the cancellation, it goes on as one, for the caller to answer it as such (503), never as a failure (500).
            if (ex is OperationCanceledException)
            {
                throw;
            }

            throw new OperationCanceledException($"The caller stopped waiting for {operation}.", ex, cancellationToken);
        }
        catch (StoreUnavailableException ex)
        {
            // The store said why itself (a write MongoDB stored but could not confirm in time, say).
            _metrics.StoreError(operation, ApiMetrics.Outage);
            if (_failureLog.ShouldLog(out var skipped))
            {
                ApiLog.StoreUnavailable(_logger, operation, skipped, ex);
            }

            throw;
        }
        catch (Exception ex) when (ex is OperationCanceledException || _inner.IsUnavailable(ex))
        {
            _metrics.StoreError(operation, ApiMetrics.Outage);
            var timedOut = bound.IsCancellationRequested;
            if (_failureLog.ShouldLog(out var skipped))
            {
                if (timedOut)
                {
                    ApiLog.StoreTimedOut(_logger, operation, _timeout, skipped);
                }
                else
                {
                    ApiLog.StoreUnavailable(_logger, operation, skipped, ex);
                }
            }

            throw new StoreUnavailableException(operation, timedOut
                ? $"The store did not answer ({operation}) within {_timeout.TotalSeconds:0.###} s."
                : $"The store cannot be reached ({operation}).", ex);
        }
        catch (Exception ex)
        {
            _metrics.StoreError(operation, ApiMetrics.Defect);
            ApiLog.StoreFailed(_logger, operation, ex);
            throw;
        }
        finally
        {
            _metrics.StoreCall(operation, _time.GetElapsedTime(started));
        }
    }

    private async Task<T> HookedAsync<T>(string operation, Func<IStoragePrimitives, CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        foreach (var hook in _hooks)
        {
            await hook.BeforeCallAsync(operation, cancellationToken);
        }

        return await call(_inner, cancellationToken);
    }
}
