using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Vapora.WorkflowApi.Persistence;
using Vapora.WorkflowApi.Persistence.Memory;
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
        var storage = new RaceLosingStorage(new InMemoryStorage(TimeProvider.System, NullLogger<InMemoryStorage>.Instance));
        var options = new StorageOptions { ContentionTimeout = TimeSpan.FromMilliseconds(500), ContentionMaxDelay = TimeSpan.FromMilliseconds(20) };
        var store = Writer(storage, options);
        var id = ((CreateOutcome.Created)await store.CreateAsync(NewWorkflow(), Ct)).First.WorkflowId;
        var watch = Stopwatch.StartNew();

        var outcome = await store.UpdateAsync(id, Step(1), null, Ct).WaitAsync(TimeSpan.FromSeconds(10), Ct);

        Assert.IsType<UpdateOutcome.Contended>(outcome);
        Assert.InRange(watch.Elapsed, TimeSpan.FromMilliseconds(450), TimeSpan.FromMilliseconds(1500));
        // Bounded by time, not by a count: with pauses of at most 20 ms, half a second holds many attempts.
        Assert.True(storage.Lost >= 15, $"only {storage.Lost} attempts in {watch.Elapsed}");
        Assert.Equal(1, (await store.GetAsync(id, Ct))!.Version);
    }
}
