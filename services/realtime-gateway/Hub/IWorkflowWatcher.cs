namespace Vapora.RealtimeGateway.Hub;

/// <summary>One local client's interest in one workflow, as the topic sees it.</summary>
internal interface IWorkflowWatcher
{
    /// <summary>The last version this watcher was given.</summary>
    long Position { get; }

    /// <summary>
    /// Hands over the next frame. Called under the topic's lock, in version order, never blocking:
    /// it only queues the bytes on the watcher's connection.
    /// </summary>
    void Deliver(UpdateFrame frame);
}
