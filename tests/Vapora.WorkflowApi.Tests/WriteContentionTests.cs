using System.Diagnostics;
using Vapora.WorkflowApi.Persistence;
using Vapora.WorkflowApi.Workflows;
using static Vapora.WorkflowApi.Tests.StoreHarness;

namespace Vapora.WorkflowApi.Tests;

/// <summary>How the write path waits while other writers keep taking the next version.</summary>
public sealed class WriteContentionTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_writer_that_keeps_losing_retries_with_capped_backoff_until_the_time_bound_then_gives_up()
    {
        var storage = new RaceLosingStorage(Memory());
        var options = new StorageOptions { ContentionTimeout = TimeSpan.FromMilliseconds(500), ContentionMaxDelay = TimeSpan.FromMilliseconds(20) };
        var store = Rules(storage, options);
        var id = ((CreateOutcome.Created)await store.CreateAsync(NewWorkflow(), Ct)).First.WorkflowId;
        var watch = Stopwatch.StartNew();

        var outcome = await store.UpdateAsync(id, Step(1), null, null, Ct).WaitAsync(TimeSpan.FromSeconds(10), Ct);

        Assert.IsType<UpdateOutcome.Contended>(outcome);
        // Bounded by time, not by a count: it kept trying for the whole half second (the upper bound allows for a busy machine).
        Assert.InRange(watch.Elapsed, TimeSpan.FromMilliseconds(450), TimeSpan.FromSeconds(3.5));
        Assert.True(storage.Lost >= 5, $"only {storage.Lost} attempts in {watch.Elapsed}");
        Assert.Equal(1, (await store.GetAsync(id, Ct))!.Version);
    }
}
