using Vapora.RealtimeGateway.Frames;
using Vapora.RealtimeGateway.Hub;
using Vapora.RealtimeGateway.Resume;
using Vapora.RealtimeGateway.UpdateLog;
using Vapora.Testing;

namespace Vapora.RealtimeGateway.Tests.Units;

/// <summary>
/// Resumes that the recent frames do not cover read the history: one read per workflow and position shared by all who
/// ask while it runs, extending the topic's memory before it stops being shared, bounded per gateway (issue 18).
/// </summary>
public sealed class CoalescedCatchUpTests : IDisposable
{
    private const string Id = "wf_coalesce_unit";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    private readonly TimerRecordingTimeProvider _time = new();
    private readonly FakeUpdateLog _log = new(Id, latest: 10);
    private TestCore? _core;

    public void Dispose() => _core?.Dispose();

    [Fact]
    public async Task Resumes_at_the_same_position_while_a_read_runs_share_that_one_read_and_its_encoded_frames()
    {
        // A topic that starts now holds no recent frames: everyone behind its head must read the history.
        var topic = StartedTopic(head: 10);
        _log.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var reads = Enumerable.Range(0, 50).Select(_ => Join(topic, after: 4)).ToList();

        await Poll.UntilAsync(() => _log.HistoryReads == 1, Deadline, "the first resume's read to reach the log");
        _log.Gate.SetResult();
        var pages = await Task.WhenAll(reads.Select(r => r.WaitAsync(Deadline, TestContext.Current.CancellationToken)));

        Assert.Equal(1, _log.HistoryReads);
        Assert.All(reads, r => Assert.Same(reads[0], r));
        Assert.Equal([5L, 6, 7, 8, 9, 10], pages[0]!.Select(f => f.Version));
        Assert.All(pages, page => Assert.Same(pages[0], page));
        Assert.Equal(49, _core!.Metrics.Total("vapora.gateway.catchup.coalesced"));
    }

    [Fact]
    public async Task A_read_extends_the_memory_so_resumes_that_come_later_are_served_from_it()
    {
        var topic = StartedTopic(head: 10);
        var first = await Join(topic, after: 4).WaitAsync(Deadline, TestContext.Current.CancellationToken);

        var later = new RecordingWatcher(6);
        Assert.Equal(AttachResult.Attached, topic.TryAttachFromMemory(later));
        var atTheReadsPosition = new RecordingWatcher(4);
        Assert.Equal(AttachResult.Attached, topic.TryAttachFromMemory(atTheReadsPosition));
        Assert.False(_core!.Reads.TryJoin(topic, 4, out _)); // asked again: memory holds it now, no read

        Assert.Equal(1, _log.HistoryReads);
        Assert.Equal([7L, 8, 9, 10], later.Versions);
        Assert.Equal([5L, 6, 7, 8, 9, 10], atTheReadsPosition.Versions);
        // The read's bytes, kept in the recent-frame log: rebuilt once, then one frame (and one envelope) for every resume.
        var fromMemory = Delivered(topic, after: 9);
        Assert.Equal(first![^1].Json.ToArray(), fromMemory.Json.ToArray());
        Assert.Same(fromMemory, Delivered(topic, after: 9));
    }

    [Fact]
    public async Task With_coalescing_switched_off_every_resume_reads_its_own_page_and_memory_is_not_extended()
    {
        var topic = StartedTopic(head: 10, new ResumeOptions { CoalesceCatchUp = false });
        var reads = Enumerable.Range(0, 5).Select(_ => Join(topic, after: 4)).ToList();
        await Task.WhenAll(reads).WaitAsync(Deadline, TestContext.Current.CancellationToken);

        Assert.Equal(5, _log.HistoryReads);
        Assert.Equal(AttachResult.NotInMemory, topic.TryAttachFromMemory(new RecordingWatcher(6)));
    }

    [Fact]
    public async Task A_read_beyond_the_gateways_limit_and_queue_is_refused_at_once_so_the_client_resumes_later()
    {
        var topic = StartedTopic(head: 10, new ResumeOptions { MaxConcurrentHistoryReads = 1, HistoryReadQueueLimit = 1 });
        _log.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var running = Join(topic, after: 2);
        await Poll.UntilAsync(() => _log.HistoryReads == 1, Deadline, "the first read to take the only slot");
        var queued = Join(topic, after: 3);
        // Reads start on the thread pool: the second must be the one waiting before the third asks.
        await Poll.UntilAsync(() => _core!.Reads.Waiting == 1, Deadline, "the second read to wait for the slot");
        var refused = Join(topic, after: 4);

        await Assert.ThrowsAsync<HistoryReadRefusedException>(() => refused.WaitAsync(Deadline, TestContext.Current.CancellationToken));
        Assert.False(queued.IsCompleted);
        _log.Gate.SetResult();
        await Task.WhenAll(running, queued).WaitAsync(Deadline, TestContext.Current.CancellationToken);
        Assert.Equal(2, _log.HistoryReads);
        Assert.Equal(1, _core!.Metrics.Total("vapora.gateway.catchup.refused"));

        // Refused reads are not remembered: the next resume at that position is served from what the others read.
        Assert.Equal(AttachResult.Attached, topic.TryAttachFromMemory(new RecordingWatcher(4)));
    }

    [Fact]
    public async Task A_failed_read_fails_everyone_who_shared_it_and_the_next_resume_reads_afresh()
    {
        var topic = StartedTopic(head: 10);
        _log.FailingReads = 1;
        _log.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var shared = Enumerable.Range(0, 3).Select(_ => Join(topic, after: 4)).ToList();
        await Poll.UntilAsync(() => _log.HistoryReads == 1, Deadline, "the shared read to start");
        _log.Gate.SetResult();

        foreach (var read in shared)
        {
            await Assert.ThrowsAsync<UpdateLogUnavailableException>(() => read.WaitAsync(Deadline, TestContext.Current.CancellationToken));
        }

        var again = await Join(topic, after: 4).WaitAsync(Deadline, TestContext.Current.CancellationToken);
        Assert.Equal(2, _log.HistoryReads);
        Assert.Equal(6, again!.Count);
    }

    [Fact]
    public async Task An_empty_page_is_asked_again_50_ms_later_on_the_clock_until_the_log_has_the_versions()
    {
        var topic = StartedTopic(head: 10);
        _log.Latest = 4; // the log lags its own publishes (it should not): the read finds nothing after 4 at first
        var read = Join(topic, after: 4);
        await Poll.UntilAsync(() => _time.HasTimerDueIn(TimeSpan.FromMilliseconds(50)), Deadline, "the second read to wait 50 ms");
        _log.Latest = 10;
        _time.Advance(TimeSpan.FromMilliseconds(50));

        var frames = await read.WaitAsync(Deadline, TestContext.Current.CancellationToken);
        Assert.Equal(2, _log.HistoryReads);
        Assert.Equal(6, frames!.Count);
    }

    private Task<IReadOnlyList<UpdateFrame>?> Join(WorkflowTopic topic, long after) =>
        _core!.Reads.TryJoin(topic, after, out var read) ? read : throw new InvalidOperationException($"Memory already holds the page after {after}.");

    private static UpdateFrame Delivered(WorkflowTopic topic, long after)
    {
        var watcher = new FrameRecorder(after);
        Assert.Equal(AttachResult.Attached, topic.TryAttachFromMemory(watcher));
        return watcher.Frames[0];
    }

    private WorkflowTopic StartedTopic(long head, ResumeOptions? resume = null)
    {
        _core = new TestCore(_log, _time, resume: resume);
        var topic = _core.NewTopic(Id);
        topic.Start(TestFrames.Snapshot(Id, head));
        return topic;
    }

    private sealed class FrameRecorder(long position) : IWorkflowWatcher
    {
        public List<UpdateFrame> Frames { get; } = [];

        public long Position { get; private set; } = position;

        public bool TryReserve(int frames) => true;

        public void HandOver(UpdateFrame frame)
        {
            Position = frame.Version;
            Frames.Add(frame);
        }

        public void Deliver(UpdateFrame frame) => HandOver(frame);

        public void Fail(Exception exception)
        {
        }
    }
}
