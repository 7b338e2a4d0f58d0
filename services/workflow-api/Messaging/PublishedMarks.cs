using System.Threading.Channels;
using Vapora.WorkflowApi.Internal;
using Vapora.WorkflowApi.Persistence;

namespace Vapora.WorkflowApi.Messaging;

/// <summary>
/// Records "published" for updates in batches, off the request path: one bulk write per batch instead
/// of one per update. A mark that is lost only makes the relay publish that update again, which gateways
/// drop as a duplicate by version.
/// </summary>
public sealed class PublishedMarks(IStoragePrimitives storage, ILogger<PublishedMarks> logger) : BackgroundService
{
    private const int MaxBatch = 1000;
    private readonly Channel<UpdateKey> _pending = Channel.CreateUnbounded<UpdateKey>(new UnboundedChannelOptions { SingleReader = true });

    /// <summary>Queues a mark.</summary>
    public void Add(UpdateKey key) => _pending.Writer.TryWrite(key);

    /// <summary>Writes the marks queued so far now (the background loop does this as they come).</summary>
    internal Task FlushQueuedAsync(CancellationToken cancellationToken) => FlushAsync(new List<UpdateKey>(MaxBatch), cancellationToken);

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<UpdateKey>(MaxBatch);
        try
        {
            while (await _pending.Reader.WaitToReadAsync(stoppingToken))
            {
                await FlushAsync(batch, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }

        // Shutting down: write what is queued so the relay does not republish it after a restart.
        _pending.Writer.TryComplete();
        await FlushAsync(batch, CancellationToken.None);
    }

    private async Task FlushAsync(List<UpdateKey> batch, CancellationToken cancellationToken)
    {
        while (true)
        {
            batch.Clear();
            while (batch.Count < MaxBatch && _pending.Reader.TryRead(out var key))
            {
                batch.Add(key);
            }

            if (batch.Count == 0)
            {
                return;
            }

            try
            {
                await storage.MarkPublishedAsync(batch, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                ApiLog.MarkPublishedFailed(logger, batch.Count, ex);
            }
        }
    }
}
