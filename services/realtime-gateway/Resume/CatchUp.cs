using Microsoft.Extensions.Options;
using Vapora.RealtimeGateway.Frames;
using Vapora.RealtimeGateway.Hub;
using Vapora.RealtimeGateway.Internal;
using Vapora.RealtimeGateway.UpdateLog;

namespace Vapora.RealtimeGateway.Resume;

/// <summary>
/// Brings a new subscription up to its topic and attaches it, step by step as <see cref="ResumeRule"/> decides: the
/// state; or the versions after its position from the history (a page at a time, waiting for room in its queue) until
/// the topic's memory covers the rest, which the topic hands over and attaches in one step under its lock, so no
/// version falls between; or a reset. A hand-over that finds no room is never forced into a full queue: the frames are
/// copied out and queued like history, and the hand-over is tried again.
/// </summary>
internal sealed class CatchUp(HistoryReads reads, IUpdateLog updateLog, IOptions<UpdateLogOptions> options, GatewayMetrics metrics)
{
    private readonly int _pageSize = options.Value.CatchUpPageSize;

    /// <summary>
    /// Catches <paramref name="watcher"/> up from <paramref name="after"/> (null: the current state first) and attaches it
    /// to <paramref name="topic"/>.
    /// </summary>
    /// <exception cref="HistoryReadRefusedException">Too many history reads on this gateway: resume later.</exception>
    /// <exception cref="UpdateLogUnavailableException">The API did not answer.</exception>
    /// <exception cref="OperationCanceledException">The connection closed meanwhile.</exception>
    public async Task<ResumeOutcome> AttachAsync(IResumingWatcher watcher, WorkflowTopic topic, long? after, CancellationToken cancellationToken)
    {
        if (after is not null)
        {
            metrics.Resumed();
        }

        long? latest = null;
        IReadOnlyList<UpdateFrame>? page = null;
        while (true)
        {
            var facts = new ResumeFacts(after is null ? null : watcher.Position, topic.View(), latest,
                page is null ? null : new HistoryPage(page.Count, page.Count > 0 ? page[0].Version : 0));
            var step = ResumeRule.Decide(facts);
            switch (step)
            {
                case ResumeStep.State or ResumeStep.ResetCompacted or ResumeStep.ResetAhead:
                    var reset = step != ResumeStep.State;
                    var withState = topic.TryAttachWithState(watcher, reset);
                    if (withState == AttachResult.Attached)
                    {
                        if (reset)
                        {
                            metrics.Reset(step == ResumeStep.ResetAhead ? "ahead" : "compacted", 1);
                        }

                        return reset ? ResumeOutcome.Reset : ResumeOutcome.Attached;
                    }

                    if (withState == AttachResult.Closed)
                    {
                        return ResumeOutcome.Unavailable;
                    }

                    await watcher.WaitForRoomAsync();
                    break;

                case ResumeStep.Memory:
                    switch (topic.TryAttachFromMemory(watcher))
                    {
                        case AttachResult.Attached:
                            return ResumeOutcome.Attached;
                        case AttachResult.Closed:
                            return ResumeOutcome.Unavailable;
                        case AttachResult.NoRoom:
                            // Not into a full queue under the topic's lock: queue them like history, then try again.
                            await CatchUpAsync(watcher, topic.CopyFromMemory(watcher.Position, _pageSize));
                            break;
                    }

                    break;

                case ResumeStep.CheckLatest:
                    var state = await updateLog.GetStateAsync(topic.WorkflowId, cancellationToken);
                    if (state is null)
                    {
                        return ResumeOutcome.NotFound;
                    }

                    latest = state.Version;
                    break;

                case ResumeStep.ReadHistory:
                    if (reads.TryJoin(topic, watcher.Position, out var read))
                    {
                        // The read is shared: leaving (the connection closed) stops this wait, never the read itself.
                        page = await read.WaitOrCancelAsync(cancellationToken);
                        if (page is null)
                        {
                            return ResumeOutcome.NotFound;
                        }

                        // Decide on the page before anything else.
                        continue;
                    }

                    break;

                case ResumeStep.CatchUpPage:
                    await CatchUpAsync(watcher, page!);
                    break;

                default:
                    return ResumeOutcome.Unavailable;
            }

            page = null;
        }
    }

    private static async ValueTask CatchUpAsync(IResumingWatcher watcher, IReadOnlyList<UpdateFrame> frames)
    {
        foreach (var frame in frames)
        {
            await watcher.CatchUpAsync(frame);
        }
    }
}
