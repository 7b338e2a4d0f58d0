using System.Collections.Concurrent;
using Vapora.WorkflowApi.Messaging;
using Vapora.WorkflowApi.Persistence;

namespace Vapora.WorkflowApi.Concurrency.Tests;

/// <summary>Records every publish (the request path's and the relay's).</summary>
internal sealed class RecordingPublisher : IUpdatePublisher
{
    public ConcurrentBag<UpdateKey> Published { get; } = [];

    public Task PublishAsync(StoredUpdate update, CancellationToken cancellationToken)
    {
        Published.Add(new UpdateKey(update.Update.WorkflowId, update.Update.Version));
        return Task.CompletedTask;
    }
}
