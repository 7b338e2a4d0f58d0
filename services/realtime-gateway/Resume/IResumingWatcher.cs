using Vapora.RealtimeGateway.Frames;
using Vapora.RealtimeGateway.Hub;

namespace Vapora.RealtimeGateway.Resume;

/// <summary>
/// A watcher being brought up to its topic: besides what the topic hands it, it takes older versions (read from the
/// history, or copied from memory when a hand-over found no room) outside the topic's lock, waiting for room. Catch-up
/// never counts as falling behind: only a client that writes nothing for a while is closed as slow.
/// </summary>
internal interface IResumingWatcher : IWorkflowWatcher
{
    /// <summary>Queues the version after the position (others are skipped), waiting for room.</summary>
    /// <exception cref="OperationCanceledException">The connection is closing (or was closed as stalled).</exception>
    ValueTask CatchUpAsync(UpdateFrame frame);

    /// <summary>Waits until a hand-over frame (the state) fits.</summary>
    /// <exception cref="OperationCanceledException">The connection is closing (or was closed as stalled).</exception>
    ValueTask WaitForRoomAsync();
}
