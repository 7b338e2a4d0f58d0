using Vapora.RealtimeGateway.Connections;
using Vapora.Testing;

namespace Vapora.RealtimeGateway.Tests.Units;

/// <summary>One connection's bounded send queue, in process.</summary>
public sealed class SendQueueTests
{
    private const string Workflow = "wf_queue_unit";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    [Fact]
    public void Progress_is_conflated_only_past_half_the_capacity_and_never_replaces_a_status_change()
    {
        var queue = new SendQueue(capacity: 8);
        for (var i = 1; i <= 3; i++)
        {
            Assert.Equal(EnqueueResult.Queued, queue.Enqueue(Frame(i), Workflow, isProgress: true));
        }

        Assert.Equal(EnqueueResult.Queued, queue.Enqueue(Frame(4), Workflow, isProgress: false)); // a status change: 4 queued, half full
        Assert.Equal(EnqueueResult.Queued, queue.Enqueue(Frame(5), Workflow, isProgress: true)); // the newest of the workflow is a status change
        Assert.Equal(EnqueueResult.Conflated, queue.Enqueue(Frame(6), Workflow, isProgress: true)); // replaces 5
        Assert.Equal(EnqueueResult.Queued, queue.Enqueue(Frame(7), "wf_other", isProgress: true)); // another workflow's progress is its own

        Assert.Equal([1, 2, 3, 4, 6, 7], Drain(queue));
    }

    [Fact]
    public void Conflation_starts_at_half_the_capacity_itself()
    {
        var queue = new SendQueue(capacity: 8);
        for (var i = 1; i <= 4; i++)
        {
            Assert.Equal(EnqueueResult.Queued, queue.Enqueue(Frame(i), Workflow, isProgress: true)); // 3 queued: below half
        }

        Assert.Equal(EnqueueResult.Conflated, queue.Enqueue(Frame(5), Workflow, isProgress: true)); // 4 queued: half, replaces 4

        Assert.Equal([1, 2, 3, 5], Drain(queue));
    }

    [Fact]
    public void Reserved_slots_count_against_the_capacity_for_the_next_reservation()
    {
        var queue = new SendQueue(capacity: 8);
        for (var i = 1; i <= 5; i++)
        {
            queue.Enqueue(Frame(i), workflowId: null, isProgress: false);
        }

        Assert.True(queue.TryReserve(2));
        Assert.False(queue.TryReserve(2)); // 5 queued + 2 reserved + 2 > 8
        Assert.True(queue.TryReserve(1));
        Assert.False(queue.TryReserve(1));
    }

    [Fact]
    public void A_full_queue_refuses_live_frames_and_a_completed_one_refuses_everything()
    {
        var queue = new SendQueue(capacity: 8);
        for (var i = 1; i <= 8; i++)
        {
            queue.Enqueue(Frame(i), workflowId: null, isProgress: false);
        }

        Assert.Equal(EnqueueResult.Full, queue.Enqueue(Frame(9), Workflow, isProgress: false));
        queue.Complete();
        Assert.Equal(EnqueueResult.Closed, queue.Enqueue(Frame(10), Workflow, isProgress: false));
        Assert.Equal([1, 2, 3, 4, 5, 6, 7, 8], Drain(queue));
    }

    [Fact]
    public void A_keep_alive_is_queued_only_into_an_empty_queue_so_a_full_catch_up_is_never_refused_for_it()
    {
        var queue = new SendQueue(capacity: 4);
        Assert.True(queue.EnqueueIfEmpty(Frame(1)));
        Assert.False(queue.EnqueueIfEmpty(Frame(2)));
        for (var i = 3; i <= 5; i++)
        {
            queue.Enqueue(Frame(i), workflowId: null, isProgress: false);
        }

        Assert.False(queue.EnqueueIfEmpty(Frame(6))); // full: before, a heartbeat here closed the stream as a slow consumer
        Assert.Equal([1, 3, 4, 5], Drain(queue));
        Assert.True(queue.EnqueueIfEmpty(Frame(7)));
        queue.Complete();
        Assert.False(queue.EnqueueIfEmpty(Frame(8)));
        Assert.Equal([7], Drain(queue));
    }

    [Fact]
    public async Task Catch_up_waits_for_room_instead_of_being_refused()
    {
        var queue = new SendQueue(capacity: 8);
        for (var i = 1; i <= 8; i++)
        {
            queue.Enqueue(Frame(i), workflowId: null, isProgress: false);
        }

        var waiting = queue.EnqueueWaitingAsync(Frame(9), Stall, TimeProvider.System, TestContext.Current.CancellationToken).AsTask();
        Assert.False(waiting.IsCompleted);
        Assert.True(queue.TryDequeue(out _));

        Assert.True(await waiting.WaitAsync(Deadline, TestContext.Current.CancellationToken));
        Assert.Equal([2, 3, 4, 5, 6, 7, 8, 9], Drain(queue));
    }

    [Fact]
    public void A_reservation_is_all_or_nothing_and_catch_up_cannot_take_the_room_it_holds()
    {
        var queue = new SendQueue(capacity: 8);
        for (var i = 1; i <= 5; i++)
        {
            queue.Enqueue(Frame(i), workflowId: null, isProgress: false);
        }

        Assert.False(queue.TryReserve(4)); // 5 + 4 > 8: nothing is reserved
        Assert.True(queue.TryReserve(3));
        Assert.False(queue.WaitForRoomAsync(1, Stall, TimeProvider.System, TestContext.Current.CancellationToken).IsCompleted);
        Assert.False(queue.EnqueueIfEmpty(Frame(98)));
        for (var i = 6; i <= 8; i++)
        {
            queue.EnqueueReserved(Frame(i));
        }

        Assert.Throws<InvalidOperationException>(() => queue.EnqueueReserved(Frame(97)));
        Assert.Equal([1, 2, 3, 4, 5, 6, 7, 8], Drain(queue));
    }

    [Fact]
    public async Task Live_frames_have_room_of_their_own_beside_a_catch_up_backlog_and_are_refused_only_when_they_fill_it()
    {
        var queue = new SendQueue(capacity: 8);
        for (var i = 1; i <= 8; i++)
        {
            Assert.True(await queue.EnqueueWaitingAsync(Frame(i), Stall, TimeProvider.System, TestContext.Current.CancellationToken));
        }

        // The queue is full of catch-up its client is still reading: a live version does not make it a slow consumer.
        for (var i = 9; i <= 16; i++)
        {
            Assert.Equal(EnqueueResult.Queued, queue.Enqueue(Frame(i), Workflow, isProgress: false));
        }

        Assert.Equal(EnqueueResult.Full, queue.Enqueue(Frame(17), Workflow, isProgress: false));
        Assert.Equal(Enumerable.Range(1, 16), Drain(queue));
    }

    [Fact]
    public async Task A_wait_for_room_gives_up_only_when_the_client_took_nothing_for_the_whole_stall_bound()
    {
        var time = new TimerRecordingTimeProvider();
        var queue = new SendQueue(capacity: 8);
        for (var i = 1; i <= 8; i++)
        {
            queue.Enqueue(Frame(i), workflowId: null, isProgress: false);
        }

        var waiting = queue.WaitForRoomAsync(2, Stall, time, TestContext.Current.CancellationToken).AsTask();
        await Poll.UntilAsync(() => time.HasTimerDueIn(Stall), Deadline, "the wait to arm its stall bound");
        time.Advance(Stall / 2);
        // One frame taken half-way: still no room for two, but the client reads, so the wait starts over (its bound
        // armed again from now). The clock moves only once it is: the woken wait re-arms on another thread.
        Assert.True(queue.TryDequeue(out _));
        await Poll.UntilAsync(() => time.CreatedTimers >= 2, Deadline, "the wait to arm its stall bound again");

        time.Advance(Stall / 2);
        Assert.False(waiting.IsCompleted); // the first bound has passed: it no longer counts

        time.Advance(Stall / 2);
        Assert.False(await waiting.WaitAsync(Deadline, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task The_reader_wakes_for_each_frame_and_ends_once_completed_and_drained()
    {
        var queue = new SendQueue(capacity: 8);
        var ct = TestContext.Current.CancellationToken;

        var wait = queue.WaitToReadAsync(ct).AsTask();
        Assert.False(wait.IsCompleted);
        queue.Enqueue(Frame(1), Workflow, isProgress: false);
        Assert.True(await wait.WaitAsync(Deadline, ct));
        Assert.Equal([1], Drain(queue));

        var last = queue.WaitToReadAsync(ct).AsTask();
        queue.Complete();
        Assert.False(await last.WaitAsync(Deadline, ct));
    }

    [Fact]
    public async Task A_waiting_reader_is_released_by_its_cancellation()
    {
        var queue = new SendQueue(capacity: 8);
        using var cancel = new CancellationTokenSource();
        var wait = queue.WaitToReadAsync(cancel.Token).AsTask();

        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wait.WaitAsync(Deadline, TestContext.Current.CancellationToken));
        queue.Enqueue(Frame(1), Workflow, isProgress: false);
        Assert.True(await queue.WaitToReadAsync(TestContext.Current.CancellationToken)); // the queue takes a reader again
    }

    private static readonly TimeSpan Stall = TimeSpan.FromSeconds(20);

    private static OutboundFrame Frame(int n) => new(new byte[] { (byte)n }, FrameKind.Update);

    private static List<int> Drain(SendQueue queue)
    {
        var frames = new List<int>();
        while (queue.TryDequeue(out var frame))
        {
            frames.Add(frame.Bytes.Span[0]);
        }

        return frames;
    }
}
