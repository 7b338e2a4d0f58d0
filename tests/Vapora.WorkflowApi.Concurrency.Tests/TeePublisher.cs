using Vapora.WorkflowApi.Messaging;
using Vapora.WorkflowApi.Persistence;

namespace Vapora.WorkflowApi.Concurrency.Tests;

/// <summary>Publishes to two recorders: every publish, and the relays' alone.</summary>
internal sealed class TeePublisher(IUpdatePublisher first, IUpdatePublisher second) : IUpdatePublisher
{
    public async Task PublishAsync(StoredUpdate update, CancellationToken cancellationToken)
    {
        await first.PublishAsync(update, cancellationToken);
        await second.PublishAsync(update, cancellationToken);
    }
}
