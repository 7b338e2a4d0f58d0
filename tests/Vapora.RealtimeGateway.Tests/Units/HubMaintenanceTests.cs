using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Vapora.RealtimeGateway.Hub;
using Vapora.Testing;

namespace Vapora.RealtimeGateway.Tests.Units;

/// <summary>The convergence check (a lost publish still arrives), on a fake clock with no Redis and no API process.</summary>
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
        using var maintenance = new HubMaintenance(topics, _log, Options.Create(hub), _time, NullLogger<HubMaintenance>.Instance);
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
}
