using Vapora.RealtimeGateway.Hub;

namespace Vapora.RealtimeGateway.Connections;

/// <summary>
/// Brings a new subscription up to the topic: older versions come from the API a page at a time until the topic's
/// recent frames cover the rest; the hand-over to live delivery happens under the topic's lock
/// (<see cref="WorkflowTopic.AttachOrReadHistory"/>), so no version falls between the two. Resumes of the same
/// workflow and position share each page read (the topic decides), so a reconnect storm costs the API a few reads
/// per workflow, not one per client.
/// </summary>
internal static class HistoryCatchUp
{
    /// <summary>
    /// Catches <paramref name="subscription"/> up from <paramref name="after"/> (null: the current state first) and
    /// attaches it; false when the workflow is gone or the log cannot catch it up.
    /// </summary>
    /// <exception cref="HistoryReadRefusedException">Too many history reads on this gateway: resume later.</exception>
    public static async Task<bool> AttachAsync(WorkflowSubscription subscription, WorkflowTopic topic, long? after, CancellationToken cancellationToken)
    {
        if (after is not { } position)
        {
            return topic.TryAttach(subscription, after: null);
        }

        while (topic.AttachOrReadHistory(subscription, position) is { } read)
        {
            // The read is shared: leaving (the connection closed) stops this wait, never the read itself.
            var frames = await read.WaitAsync(cancellationToken);
            if (frames is not { Count: > 0 })
            {
                return false;
            }

            foreach (var frame in frames)
            {
                await subscription.CatchUpAsync(frame);
            }

            if (subscription.Position <= position)
            {
                // The page did not continue from our position (the log disagrees with the topic): let the client resume.
                return false;
            }

            position = subscription.Position;
        }

        return true;
    }
}
