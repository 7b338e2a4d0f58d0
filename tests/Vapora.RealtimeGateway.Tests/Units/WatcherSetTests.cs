using Vapora.RealtimeGateway.Frames;
using Vapora.RealtimeGateway.Hub;

namespace Vapora.RealtimeGateway.Tests.Units;

/// <summary>A topic's watchers: fan-out that survives a throwing watcher, swap-remove, and slots that grow and shrink by halves.</summary>
public sealed class WatcherSetTests
{
    private const string Id = "wf_watchers";

    [Fact]
    public void Every_watcher_gets_the_frame_once_and_the_count_of_those_that_took_it_is_returned()
    {
        var set = new WatcherSet();
        var watchers = Enumerable.Range(0, 5).Select(_ => new RecordingWatcher()).ToList();
        watchers.ForEach(set.Add);
        List<(IWorkflowWatcher Watcher, Exception Error)>? failed = null;

        Assert.Equal(5, set.Deliver(TestFrames.Update(Id, 1), ref failed));

        Assert.Null(failed);
        Assert.All(watchers, w => Assert.Equal([1L], w.Versions));
    }

    [Fact]
    public void Watchers_that_throw_are_noted_each_and_the_ones_after_them_still_get_the_frame()
    {
        var set = new WatcherSet();
        var before = new RecordingWatcher();
        var (first, second) = (new ThrowingWatcher(), new ThrowingWatcher());
        var after = new RecordingWatcher();
        set.Add(before);
        set.Add(first);
        set.Add(second);
        set.Add(after);
        List<(IWorkflowWatcher Watcher, Exception Error)>? failed = null;

        Assert.Equal(2, set.Deliver(TestFrames.Update(Id, 1), ref failed));

        Assert.NotNull(failed);
        Assert.Equal(new IWorkflowWatcher[] { first, second }, failed.Select(f => f.Watcher));
        Assert.All(failed, f => Assert.Same(ThrowingWatcher.Error, f.Error));
        Assert.Equal([1L], before.Versions);
        Assert.Equal([1L], after.Versions);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    [InlineData(4)]
    public void A_removed_watcher_gets_nothing_more_and_the_others_still_do(int leaver)
    {
        var set = new WatcherSet();
        var watchers = Enumerable.Range(0, 5).Select(_ => new RecordingWatcher()).ToList();
        watchers.ForEach(set.Add);

        set.Remove(watchers[leaver]);
        List<(IWorkflowWatcher Watcher, Exception Error)>? failed = null;

        Assert.Equal(4, set.Count);
        Assert.Equal(4, set.Deliver(TestFrames.Update(Id, 1), ref failed));
        for (var i = 0; i < watchers.Count; i++)
        {
            Assert.Equal(i == leaver ? [] : [1L], watchers[i].Versions);
        }
    }

    [Fact]
    public void Removing_a_watcher_that_is_not_there_or_removing_twice_changes_nothing()
    {
        var set = new WatcherSet();
        var (kept, leaver) = (new RecordingWatcher(), new RecordingWatcher());
        set.Add(kept);
        set.Add(leaver);

        set.Remove(new RecordingWatcher());
        set.Remove(leaver);
        set.Remove(leaver);

        Assert.Equal(1, set.Count);
        List<(IWorkflowWatcher Watcher, Exception Error)>? failed = null;
        Assert.Equal(1, set.Deliver(TestFrames.Update(Id, 1), ref failed));
        Assert.Equal([1L], kept.Versions);
    }

    [Fact]
    public void Slots_double_as_watchers_join_and_halve_once_a_quarter_are_used_but_never_below_four()
    {
        var set = new WatcherSet();
        Assert.Equal(0, set.Slots);
        var watchers = Enumerable.Range(0, 17).Select(_ => new RecordingWatcher()).ToList();
        var slots = new List<int>();
        foreach (var watcher in watchers)
        {
            set.Add(watcher);
            slots.Add(set.Slots);
        }

        Assert.Equal([4, 4, 4, 4, 8, 8, 8, 8, 16, 16, 16, 16, 16, 16, 16, 16, 32], slots);

        slots.Clear();
        foreach (var watcher in watchers)
        {
            set.Remove(watcher);
            slots.Add(set.Slots);
        }

        // 8 left of 32 slots is a quarter: 16; 4 of 16: 8; 2 of 8: 4; then 4 stays.
        Assert.Equal([32, 32, 32, 32, 32, 32, 32, 32, 16, 16, 16, 16, 8, 8, 4, 4, 4], slots);
        Assert.Equal(0, set.Count);
    }

    [Fact]
    public void Clear_forgets_every_watcher_and_their_slots()
    {
        var set = new WatcherSet();
        var watcher = new RecordingWatcher();
        set.Add(watcher);
        set.Add(new RecordingWatcher());

        set.Clear();

        Assert.Equal(0, set.Count);
        Assert.Equal(0, set.Slots);
        List<(IWorkflowWatcher Watcher, Exception Error)>? failed = null;
        Assert.Equal(0, set.Deliver(TestFrames.Update(Id, 1), ref failed));
        Assert.Empty(watcher.Versions);
    }

    private sealed class ThrowingWatcher : IWorkflowWatcher
    {
        public static readonly Exception Error = new InvalidOperationException("a watcher's bug");

        public long Position => 0;

        public bool TryReserve(int frames) => true;

        public void HandOver(UpdateFrame frame)
        {
        }

        public void Deliver(UpdateFrame frame) => throw Error;

        public void Fail(Exception exception)
        {
        }
    }
}
