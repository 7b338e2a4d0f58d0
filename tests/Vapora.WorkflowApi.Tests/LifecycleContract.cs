using Vapora.Contracts;
using Vapora.WorkflowApi.Persistence;
using Vapora.WorkflowApi.Workflows;
using static Vapora.WorkflowApi.Tests.StoreHarness;
using Vapora.Contracts.Serialization;

namespace Vapora.WorkflowApi.Tests;

/// <summary>
/// Retention on every store (issue 25): terminal workflows are compacted to their last update, then deleted; running
/// workflows never; nothing the outbox still needs. A history read after compaction starts above after + 1, which is
/// how the gateway tells a compacted range and sends the state marked as a reset.
/// </summary>
public abstract partial class WorkflowStoreContract
{
    private static readonly DateTimeOffset AllEnded = DateTimeOffset.UtcNow.AddMinutes(10);

    [Fact]
    public async Task A_terminal_workflow_is_compacted_to_its_last_update_and_its_history_starts_above_after_plus_one()
    {
        var storage = await CreateStorageAsync();
        var store = WritePath(storage);
        var (done, running) = (await CreateAsync(store), await CreateAsync(store));
        for (var step = 1; step <= 3; step++)
        {
            await store.UpdateAsync(done, Step(step));
            await store.UpdateAsync(running, Step(step));
        }

        var last = Assert.IsType<UpdateOutcome.Applied>(await store.UpdateAsync(done, new WorkflowChange(WorkflowStatus.Failed, null, null, "broke"))).Entry;
        await PublishAllAsync(storage);

        var due = await storage.FindRetentionDueAsync(RetentionStage.Compact, AllEnded, 100, Ct);
        var compacted = await storage.CompactAsync(due, Ct);

        Assert.Equal([done], due.Select(c => c.WorkflowId));
        Assert.Equal((5L, last.Update.Update.Timestamp), (due[0].LastVersion, due[0].TerminalAt));
        Assert.Equal(new RetentionResult(1, 4, 0), compacted);
        Assert.Empty(await storage.FindRetentionDueAsync(RetentionStage.Compact, AllEnded, 100, Ct));
        Assert.Equal([5L], await VersionsAsync(store, done));
        Assert.Equal([5L], (Assert.IsType<HistoryOutcome.Found>(await store.GetHistoryAsync(done, 2, 100, Ct))).Updates.Select(u => u.Update.Version));
        Assert.Empty(Assert.IsType<HistoryOutcome.Found>(await store.GetHistoryAsync(done, 5, 100, Ct)).Updates);
        Assert.Equal(last.ToState(), await store.GetAsync(done, Ct));
        Assert.Equal(last.ToState(), (await store.ListAsync(WorkflowStatus.Failed, null, 1000, Ct)).Items.Single(s => s.WorkflowId == done));
        Assert.Equal([1L, 2, 3, 4], await VersionsAsync(store, running));
        // Nothing follows a terminal status, compacted or not.
        Assert.IsType<UpdateOutcome.Rejected>(await store.UpdateAsync(done, Step(1)));
    }

    [Fact]
    public async Task A_deleted_workflow_is_not_found_anywhere_and_leaves_the_list_and_running_ones_are_never_due()
    {
        var storage = await CreateStorageAsync();
        var store = WritePath(storage);
        var (done, running) = (await CreateAsync(store), await CreateAsync(store));
        await store.UpdateAsync(done, new WorkflowChange(WorkflowStatus.Cancelled, null, null, null));
        await store.UpdateAsync(running, Step(1));
        await PublishAllAsync(storage);

        var due = await storage.FindRetentionDueAsync(RetentionStage.Delete, AllEnded, 100, Ct);
        var deleted = await storage.DeleteWorkflowsAsync(due, Ct);

        Assert.Equal([done], due.Select(c => c.WorkflowId));
        Assert.Equal(new RetentionResult(1, 2, 0), deleted);
        Assert.Null(await store.GetAsync(done, Ct));
        Assert.IsType<HistoryOutcome.NotFound>(await store.GetHistoryAsync(done, 0, 10, Ct));
        Assert.IsType<UpdateOutcome.NotFound>(await store.UpdateAsync(done, Step(1)));
        var listed = (await store.ListAsync(null, null, 1000, Ct)).Items.Select(s => s.WorkflowId).ToList();
        Assert.DoesNotContain(done, listed);
        Assert.Contains(running, listed);
        Assert.Empty(await storage.FindRetentionDueAsync(RetentionStage.Delete, AllEnded, 100, Ct));
        Assert.Empty(await storage.FindRetentionDueAsync(RetentionStage.Compact, AllEnded, 100, Ct));
    }

    [Fact]
    public async Task A_workflow_whose_entries_the_outbox_still_holds_waits_and_is_swept_once_they_are_published()
    {
        var storage = await CreateStorageAsync();
        var id = NewId();
        await storage.TryAppendAsync(Entry(id, 1), Ct);
        await storage.TryAppendAsync(Entry(id, 2, WorkflowStatus.Completed), Ct);
        await storage.UpsertSummaryAsync(Entry(id, 2, WorkflowStatus.Completed), Ct);
        var due = await storage.FindRetentionDueAsync(RetentionStage.Compact, AllEnded, 100, Ct);

        var waiting = await storage.CompactAsync(due, Ct);
        var notDeleted = await storage.DeleteWorkflowsAsync(due, Ct);
        await storage.MarkPublishedAsync([new UpdateKey(id, 1), new UpdateKey(id, 2)], Ct);
        var compacted = await storage.CompactAsync(due, Ct);

        Assert.Equal((new RetentionResult(0, 0, 1), new RetentionResult(0, 0, 1)), (waiting, notDeleted));
        Assert.Equal(new RetentionResult(1, 1, 0), compacted);
        Assert.Equal([2L], (await storage.ReadRangeAsync(id, 0, 10, Ct)).Select(u => u.Update.Version));
    }

    [Fact]
    public async Task Retention_candidates_come_longest_ended_first_up_to_the_limit_and_only_those_ended_before_the_time()
    {
        var storage = await CreateStorageAsync();
        var start = UtcTimestampJsonConverter.Truncate(DateTimeOffset.UtcNow.AddDays(-3));
        var ids = new List<string>();
        foreach (var days in new[] { 2, 0, 1 })
        {
            var id = NewId();
            ids.Add(id);
            await storage.UpsertSummaryAsync(Ended(id, start.AddDays(days)), Ct);
        }

        var firstTwo = await storage.FindRetentionDueAsync(RetentionStage.Delete, AllEnded, 2, Ct);
        var beforeDayTwo = await storage.FindRetentionDueAsync(RetentionStage.Compact, start.AddDays(2), 10, Ct);

        Assert.Equal([ids[1], ids[2]], firstTwo.Select(c => c.WorkflowId));
        Assert.Equal([start, start.AddDays(1)], firstTwo.Select(c => c.TerminalAt));
        Assert.Equal([ids[1], ids[2]], beforeDayTwo.Select(c => c.WorkflowId));
    }

    private static LogEntry Ended(string id, DateTimeOffset at) => new(StoredUpdate.Encode(new WorkflowUpdate
    {
        WorkflowId = id, Version = 2, Status = WorkflowStatus.Completed, CurrentStep = 1, TotalSteps = 1, Timestamp = at,
    }), "ended", at.AddMinutes(-1));

    private static Task PublishAllAsync(IStoragePrimitives storage) => StoreHarness.Relay(storage, new RecordingPublisher()).RunOnceAsync(TimeSpan.Zero, Ct);
}
