using Vapora.RealtimeGateway.Frames;

namespace Vapora.RealtimeGateway.Hub;

/// <summary>
/// One local client's interest in one workflow, as the topic sees it. Every call comes under the topic's lock and
/// must not block: a watcher only queues bytes on its connection, and never calls back into the topic. A watcher that
/// throws anyway is detached and told (<see cref="Fail"/>); the others still get every version.
/// </summary>
internal interface IWorkflowWatcher
{
    /// <summary>The last version this watcher has (0: none yet); read while attaching.</summary>
    long Position { get; }

    /// <summary>
    /// While attaching: room for <paramref name="frames"/> hand-over frames, all or none. True reserves it, and exactly
    /// that many <see cref="HandOver"/> calls follow at once; false leaves the watcher unattached (its catch-up makes
    /// room and tries again), so a hand-over never counts against a client that is still reading.
    /// </summary>
    bool TryReserve(int frames);

    /// <summary>
    /// One reserved frame while attaching: the state (or the state marked as a reset), or a recent version after
    /// <see cref="Position"/>, in order. The position becomes the frame's version, also when a reset moves it back.
    /// </summary>
    void HandOver(UpdateFrame frame);

    /// <summary>
    /// The next version published (or repaired) just now, in order. A client that falls behind may get it conflated,
    /// and one that stopped reading is closed; versions at or below the position are ignored.
    /// </summary>
    void Deliver(UpdateFrame frame);

    /// <summary>This watcher threw while the topic handed it a frame: it was detached and gets nothing more.</summary>
    void Fail(Exception exception);
}
