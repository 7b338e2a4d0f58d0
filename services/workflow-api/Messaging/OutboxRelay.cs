using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;
using Polly.Timeout;
using StackExchange.Redis;
using Vapora.WorkflowApi.Internal;
using Vapora.WorkflowApi.Persistence;

namespace Vapora.WorkflowApi.Messaging;

/// <summary>
/// Publishes updates that were stored but never published: Redis was down, or the process died between
/// store and publish. Works from the store, so it also finishes the work of an API replica that crashed.
/// </summary>
public sealed class OutboxRelay : BackgroundService
{
    private readonly IWorkflowStore _store;
    private readonly IUpdatePublisher _publisher;
    private readonly ApiMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly PublishingOptions _options;
    private readonly ILogger<OutboxRelay> _logger;
    private readonly ResiliencePipeline _publishPipeline;

    /// <summary>Creates the relay.</summary>
    public OutboxRelay(IWorkflowStore store, IUpdatePublisher publisher, ApiMetrics metrics, TimeProvider time,
        IOptions<PublishingOptions> options, ILogger<OutboxRelay> logger)
    {
        _store = store;
        _publisher = publisher;
        _metrics = metrics;
        _time = time;
        _options = options.Value;
        _logger = logger;
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

    /// <summary>Publishes what is due once; returns how many updates it published.</summary>
    public async Task<int> RunOnceAsync(TimeSpan grace, CancellationToken cancellationToken)
    {
        IReadOnlyList<StoredUpdate> due;
        try
        {
            due = await _store.GetUnpublishedAsync(_time.GetUtcNow() - grace, _options.OutboxBatchSize, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _metrics.StoreError("outbox_scan");
            throw;
        }

        _metrics.SetOutboxBacklog(due.Count, due.Count == 0 ? null : due.Min(u => u.Update.Timestamp));
        if (due.Count == 0)
        {
            return 0;
        }

        var published = new List<UpdateKey>(due.Count);
        try
        {
            foreach (var update in due)
            {
                await _publishPipeline.ExecuteAsync(
                    static (state, ct) => new ValueTask(state.Publisher.PublishAsync(state.Update, ct)),
                    (Publisher: _publisher, Update: update),
                    cancellationToken);
                published.Add(new UpdateKey(update.Update.WorkflowId, update.Update.Version));
                _metrics.Published(relayed: true);
            }
        }
        finally
        {
            try
            {
                await _store.MarkPublishedAsync(published, CancellationToken.None);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                _metrics.StoreError("mark_published");
                throw;
            }

            if (published.Count > 0)
            {
                OutboxLog.Relayed(_logger, published.Count, due.Count);
            }
        }

        return published.Count;
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
                OutboxLog.PassFailed(_logger, ex);
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

    // Stopping: publish everything still unpublished, without the grace period, within a few seconds.
    private async Task FlushOnShutdownAsync()
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(5));
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
    }
}
