using Vapora.WorkflowApi.Persistence;
using Vapora.WorkflowApi.Workflows;
using static Vapora.WorkflowApi.Tests.StoreHarness;

namespace Vapora.WorkflowApi.Tests;

/// <summary>The relay's own decisions, over the in-memory store (its Redis side is covered by OutboxTests).</summary>
public sealed class OutboxRelayTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_summary_that_cannot_be_moved_keeps_only_its_own_workflow_in_the_outbox()
    {
        var storage = Memory();
        var store = Writer(storage);
        var stuck = ((CreateOutcome.Created)await store.CreateAsync(NewWorkflow("stuck"), Ct)).First.WorkflowId;
        var fine = ((CreateOutcome.Created)await store.CreateAsync(NewWorkflow("fine"), Ct)).First.WorkflowId;
        var publisher = new RecordingPublisher();
        var relay = Relay(new SummaryRefusingStorage(storage, onlyWorkflowId: stuck), publisher);

        var finished = await relay.RunOnceAsync(TimeSpan.Zero, Ct);
        var secondPass = await relay.RunOnceAsync(TimeSpan.Zero, Ct);

        Assert.Equal((1, 0), (finished, secondPass));
        Assert.Equal([new UpdateKey(stuck, 1)], (await storage.ScanUnpublishedAsync(DateTimeOffset.UtcNow.AddMinutes(1), 100, Ct)).Select(e => e.Key));
        Assert.Contains(new UpdateKey(fine, 1), publisher.Published);
        Assert.Equal(2, publisher.Published.Count(k => k == new UpdateKey(stuck, 1)));
    }
}
