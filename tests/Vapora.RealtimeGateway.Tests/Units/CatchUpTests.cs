using System.Text.Json;
using Vapora.RealtimeGateway.Hub;
using Vapora.RealtimeGateway.Resume;

namespace Vapora.RealtimeGateway.Tests.Units;

/// <summary>
/// A subscription brought up to its topic, in process: from the state, from memory, through pages of history, or reset
/// when its versions cannot be continued gap-free (compacted below its position, or ahead of the store).
/// </summary>
public sealed class CatchUpTests : IDisposable
{
    private const string Id = "wf_catch_up_unit";
    private readonly TimerRecordingTimeProvider _time = new();
    private readonly FakeUpdateLog _log = new(Id, latest: 30);
    private readonly TestCore _core;

    public CatchUpTests() => _core = new TestCore(_log, _time, new HubOptions { RecentUpdatesPerWorkflow = 8 }, catchUpPageSize: 10);

    public void Dispose() => _core.Dispose();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Without_a_position_the_state_comes_first_then_live_versions()
    {
        var topic = await StartedAsync();
        var watcher = new RecordingWatcher();

        Assert.Equal(ResumeOutcome.Attached, await _core.CatchUp.AttachAsync(watcher, topic, after: null, Ct));
        topic.OnPublished(TestFrames.Update(Id, 31));

        Assert.Equal([(30L, false), (31L, true)], watcher.Delivered);
        Assert.False(IsReset(watcher.Frames[0]));
    }

    [Fact]
    public async Task From_far_back_it_reads_the_history_a_page_at_a_time_then_memory_takes_over_without_a_gap()
    {
        var topic = await StartedAsync();
        PublishLive(topic, 31, 40);
        _log.Latest = 40;
        var watcher = new RecordingWatcher(2);

        Assert.Equal(ResumeOutcome.Attached, await _core.CatchUp.AttachAsync(watcher, topic, after: 2, Ct));
        topic.OnPublished(TestFrames.Update(Id, 41));

        Assert.Equal(Enumerable.Range(3, 39).Select(v => (long)v), watcher.Versions);
        Assert.Equal(41, watcher.Delivered[^1].Version);
        Assert.True(watcher.Delivered[^1].Live);
        Assert.Equal(1, _core.Metrics.Total("vapora.gateway.resumes"));
    }

    [Fact]
    public async Task Compacted_below_its_position_it_gets_the_state_marked_reset_and_goes_on_from_its_version()
    {
        var topic = await StartedAsync();
        _log.FirstRetained = 25;
        var watcher = new RecordingWatcher(10);

        Assert.Equal(ResumeOutcome.Reset, await _core.CatchUp.AttachAsync(watcher, topic, after: 10, Ct));
        topic.OnPublished(TestFrames.Update(Id, 31));

        Assert.Equal([(30L, false), (31L, true)], watcher.Delivered);
        Assert.True(IsReset(watcher.Frames[0]));
        Assert.Equal(1, _core.Metrics.Total("vapora.gateway.resets"));
    }

    [Fact]
    public async Task Ahead_of_the_store_it_gets_the_state_marked_reset_and_its_position_moves_back_to_it()
    {
        var topic = await StartedAsync();
        var watcher = new RecordingWatcher(45);

        Assert.Equal(ResumeOutcome.Reset, await _core.CatchUp.AttachAsync(watcher, topic, after: 45, Ct));
        topic.OnPublished(TestFrames.Update(Id, 31));

        Assert.Equal([(30L, false), (31L, true)], watcher.Delivered);
        Assert.True(IsReset(watcher.Frames[0]));
        Assert.Equal(31, watcher.Position);
    }

    [Fact]
    public async Task Ahead_of_a_gateway_that_lags_but_not_of_the_store_it_waits_for_the_versions_after_its_own()
    {
        var topic = await StartedAsync();
        _log.Latest = 33;
        var watcher = new RecordingWatcher(32);

        Assert.Equal(ResumeOutcome.Attached, await _core.CatchUp.AttachAsync(watcher, topic, after: 32, Ct));
        PublishLive(topic, 31, 34);

        Assert.Equal([33L, 34], watcher.Versions);
    }

    [Fact]
    public async Task A_workflow_gone_from_the_log_while_resuming_is_not_found()
    {
        var topic = await StartedAsync();
        _log.Latest = 30;
        var gone = new FakeUpdateLog("wf_other", latest: 1);
        using var core = new TestCore(gone, _time);

        Assert.Equal(ResumeOutcome.NotFound, await core.CatchUp.AttachAsync(new RecordingWatcher(45), topic, after: 45, Ct));
    }

    private async Task<WorkflowTopic> StartedAsync()
    {
        var (lease, status) = await _core.Topics.JoinAsync(Id, Ct);
        Assert.Equal(TopicStatus.Ready, status);
        return lease.Topic!;
    }

    private static void PublishLive(WorkflowTopic topic, int from, int to)
    {
        for (var version = from; version <= to; version++)
        {
            topic.OnPublished(TestFrames.Update(Id, version));
        }
    }

    private static bool IsReset(Frames.UpdateFrame frame) =>
        JsonDocument.Parse(frame.Json).RootElement.TryGetProperty("reset", out var reset) && reset.GetBoolean();
}
