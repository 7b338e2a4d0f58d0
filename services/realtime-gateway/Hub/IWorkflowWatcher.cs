using Vapora.RealtimeGateway.Frames;

namespace Vapora.RealtimeGateway.Hub;

/// <summary>One local client's interest in one workflow, as the topic sees it.</summary>
internal interface IWorkflowWatcher
{
    /// <summary>
    /// Hands over the next frame, in version order. Called under the topic's lock and never blocking: it only queues
    /// the bytes on the watcher's connection, and never calls back into the topic.
    /// </summary>
    /// <param name="frame">The frame.</param>
    /// <param name="live">
    /// True for a version published just now (a client that falls behind may get it conflated); false for the state
    /// or recent versions handed over while attaching, which are catch-up and never conflated.
    /// </param>
    void Deliver(UpdateFrame frame, bool live);
}
