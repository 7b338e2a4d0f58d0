using Vapora.WorkflowApi.Persistence;

namespace Vapora.WorkflowApi.Messaging;

/// <summary>Sends a stored update's bytes to the workflow's channel. Throws when the backplane is unreachable.</summary>
public interface IUpdatePublisher
{
    /// <summary>Publishes the update as it was encoded when stored.</summary>
    Task PublishAsync(StoredUpdate update, CancellationToken cancellationToken);
}
