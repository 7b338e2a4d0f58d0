using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Vapora.RealtimeGateway.Hub;
using Vapora.Testing;

namespace Vapora.RealtimeGateway.Tests.Units;

/// <summary>The convergence check (a lost publish still arrives; a rewound store is noticed), on a fake clock with no Redis and no API process.</summary>
public sealed class HubMaintenanceTests
{
    private const string Id = "wf_maintenance_unit";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    private readonly TimerRecordingTimeProvider _time = new();
    private readonly FakeUpdateLog _log = new(Id, latest: 1);

    [Fact]
    public async Task A_check_that_fails_unexpectedly_is_logged_and_the_next_one_still_repairs_the_lost_publish()
    {
        var ct = TestContext.Current.CancellationToken;
        var hub = new HubOptions { ConvergenceCheckInterval = TimeSpan.FromSeconds(30) };
        using var core = new TestCore(_log, _time, hub);
        var topics = core.Topics;
        var (lease, status) = await topics.JoinAsync(Id, ct);
        Assert.Equal(TopicStatus.Ready, status);
        var watcher = new RecordingWatcher(1);
        Assert.Equal(AttachResult.Attached, lease.Topic!.TryAttachFromMemory(watcher));

        // Version 2 was stored but its publish was lost; the first check meets a failure nobody planned for.
        _log.Latest = 2;
        _log.FailingReads = 1;
        _log.ReadFailure = static () => new InvalidOperationException("Something nobody planned for.");
        using var maintenance = new HubMaintenance(topics, _log, core.Repair, Options.Create(hub), _time, NullLogger<HubMaintenance>.Instance);
        await maintenance.StartAsync(ct);
        try
        {
            await Poll.UntilAsync(() =>
            {
                _time.Advance(TimeSpan.FromSeconds(1));
                return watcher.Versions.Contains(2);
            }, Deadline, "the lost version to arrive through a later check");

            Assert.Equal([2L], watcher.Versions);
            Assert.True(_log.HistoryReads >= 2, "the failed check and the one that found the version");
            Assert.False(maintenance.ExecuteTask!.IsFaulted);
        }
        finally
        {
            await maintenance.StopAsync(ct);
            lease.Release();
        }
    }

    [Fact]
    public async Task A_version_that_comes_again_after_the_store_was_rewound_resets_the_watchers_to_the_store_state_at_the_next_round()
    {
        var ct = TestContext.Current.CancellationToken;
        _log.Latest = 5;
        var hub = new HubOptions { ConvergenceCheckInterval = TimeSpan.FromHours(1) };
        using var core = new TestCore(_log, _time, hub);
        var (lease, _) = await core.Topics.JoinAsync(Id, ct);
        var watcher = new RecordingWatcher(5);
        Assert.Equal(AttachResult.Attached, lease.Topic!.TryAttachFromMemory(watcher));
        using var maintenance = new HubMaintenance(core.Topics, _log, core.Repair, Options.Create(hub), _time, NullLogger<HubMaintenance>.Instance);
        await maintenance.StartAsync(ct);
        try
        {
            // Restored to version 2, and the next write is 3 again: a duplicate to the topic, which makes it due at once.
            _log.Latest = 3;
            lease.Topic.OnPublished(TestFrames.Update(Id, 3));
            await Poll.UntilAsync(() =>
            {
                _time.Advance(TimeSpan.FromSeconds(1));
                return watcher.Versions.Count > 0;
            }, Deadline, "the watchers to be reset");

            var reset = Assert.Single(watcher.Frames);
            Assert.Equal(3, reset.Version);
            Assert.True(JsonDocument.Parse(reset.Json).RootElement.GetProperty("reset").GetBoolean());
            Assert.Equal(3, lease.Topic.Head);
            lease.Topic.OnPublished(TestFrames.Update(Id, 4));
            Assert.Equal([3L, 4], watcher.Versions);
        }
        finally
        {
            await maintenance.StopAsync(ct);
            lease.Release();
        }
    }

    [Fact]
    public async Task A_quiet_topic_that_agrees_with_the_store_is_not_reset_by_the_check()
    {
        var ct = TestContext.Current.CancellationToken;
        _log.Latest = 4;
        var hub = new HubOptions { ConvergenceCheckInterval = TimeSpan.FromSeconds(1) };
        using var core = new TestCore(_log, _time, hub);
        var (lease, _) = await core.Topics.JoinAsync(Id, ct);
        var watcher = new RecordingWatcher(4);
        Assert.Equal(AttachResult.Attached, lease.Topic!.TryAttachFromMemory(watcher));
        using var maintenance = new HubMaintenance(core.Topics, _log, core.Repair, Options.Create(hub), _time, NullLogger<HubMaintenance>.Instance);
        await maintenance.StartAsync(ct);
        try
        {
            var reads = _log.HistoryReads;
            await Poll.UntilAsync(() =>
            {
                _time.Advance(TimeSpan.FromSeconds(2));
                return _log.HistoryReads >= reads + 3;
            }, Deadline, "three checks");

            Assert.Empty(watcher.Versions);
            Assert.Equal(4, lease.Topic.Head);
        }
        finally
        {
            await maintenance.StopAsync(ct);
            lease.Release();
        }
    }
}
