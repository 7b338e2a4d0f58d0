using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Vapora.WorkflowApi.Messaging;
using Vapora.WorkflowApi.Persistence;
using Vapora.WorkflowApi.Workflows;

namespace Vapora.WorkflowApi.Tests;

/// <summary>
/// A write leaves the outbox only when it was both published and its summary moved: otherwise the outbox relay must
/// still find it (a publish or a summary that did not happen is never marked done).
/// </summary>
public sealed class UpdateWriterTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(true, true, false)]   // published, summary moved: marked, the relay has nothing to do
    [InlineData(false, true, true)]   // the publish failed: left to the relay
    [InlineData(true, false, true)]   // the summary failed: left to the relay, which moves it
    public async Task An_entry_leaves_the_outbox_only_when_published_and_its_summary_moved(bool publishes, bool summaryMoves, bool leftToRelay)
    {
        var memory = StoreHarness.Memory();
        IStoragePrimitives storage = summaryMoves ? memory : new SummaryRefusingStorage(memory);
        var marks = new PublishedMarks(storage, NullLogger<PublishedMarks>.Instance);
        var publisher = publishes ? (IUpdatePublisher)new RecordingPublisher() : new RefusingPublisher();
        var dispatcher = new UpdateDispatcher(publisher, [], StoreHarness.Metrics(), TimeProvider.System, Options.Create(new PublishingOptions()),
            NullLogger<UpdateDispatcher>.Instance);
        var writer = new UpdateWriter(StoreHarness.Rules(storage), storage, dispatcher, marks, StoreHarness.Metrics(), NullLogger<UpdateWriter>.Instance);

        var created = Assert.IsType<CreateOutcome.Created>(await writer.CreateAsync(StoreHarness.NewWorkflow(), RequestDeadline.None));
        await marks.FlushQueuedAsync(Ct);

        var unpublished = await memory.ScanUnpublishedAsync(DateTimeOffset.UtcNow.AddMinutes(1), 1000, Ct);
        Assert.Equal(leftToRelay, unpublished.Any(e => e.WorkflowId == created.State.WorkflowId));
    }

    private sealed class RefusingPublisher : IUpdatePublisher
    {
        public Task PublishAsync(StoredUpdate update, CancellationToken cancellationToken) => throw new InvalidOperationException("Refused by the test.");
    }
}
