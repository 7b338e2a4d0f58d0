using Microsoft.Extensions.Time.Testing;
using Vapora.WorkflowApi.Persistence;

namespace Vapora.WorkflowApi.Tests;

/// <summary>
/// Two replicas' holds on one lease, on a fake clock: the holder renews from a third of the duration on, believes
/// itself the holder no longer than the store does, and a lease is free at its expiry itself or once given up.
/// </summary>
public sealed class StoreLeaseTests
{
    private static readonly TimeSpan Duration = TimeSpan.FromSeconds(30);
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_holder_renews_from_a_third_of_the_duration_on_and_the_other_replica_takes_the_lease_only_when_it_is_free()
    {
        var time = new FakeTimeProvider();
        var storage = StoreHarness.Memory(time);
        var (a, b) = (Lease(storage, time), Lease(storage, time));

        Assert.True(await a.TryHoldAsync(Ct));      // t0: taken, held in the store until t30
        Assert.True(a.IsHeld);
        Assert.False(await b.TryHoldAsync(Ct));
        Assert.False(b.IsHeld);

        At(time, 10);
        Assert.True(await a.TryHoldAsync(Ct));      // a third of the way: renewed, until t40
        At(time, 35);
        Assert.False(await b.TryHoldAsync(Ct));
        At(time, 39);
        Assert.True(await a.TryHoldAsync(Ct));      // renewed again, until t69
        At(time, 45);
        Assert.False(await b.TryHoldAsync(Ct));
        Assert.True(a.IsHeld);

        await a.ReleaseAsync(Ct);
        Assert.False(a.IsHeld);
        Assert.True(await b.TryHoldAsync(Ct));      // given up: taken at once, until t75
        At(time, 75);
        Assert.False(b.IsHeld);                     // its belief ends with its hold's duration
        Assert.True(await a.TryHoldAsync(Ct));      // free at its expiry itself
    }

    [Fact]
    public async Task A_store_that_fails_the_renewal_leaves_the_holder_not_holding()
    {
        var time = new FakeTimeProvider();
        var storage = new LeaseFailingStorage(StoreHarness.Memory(time));
        var lease = Lease(storage, time);
        Assert.True(await lease.TryHoldAsync(Ct));

        At(time, 10);
        storage.Fails = true;
        await Assert.ThrowsAsync<StoreUnavailableException>(() => lease.TryHoldAsync(Ct));

        Assert.False(lease.IsHeld);
    }

    private static StoreLease Lease(IStoragePrimitives storage, TimeProvider time) => new("unit", Duration, storage, time, StoreHarness.Metrics());

    private static void At(FakeTimeProvider time, int seconds) => time.SetUtcNow(Start + TimeSpan.FromSeconds(seconds));

    private static readonly DateTimeOffset Start = new FakeTimeProvider().GetUtcNow();

    /// <summary>Fails lease calls on demand, as a store that times out.</summary>
    private sealed class LeaseFailingStorage(IStoragePrimitives inner) : DelegatingStorage(inner)
    {
        public bool Fails { get; set; }

        public override Task<bool> TryAcquireLeaseAsync(string lease, string owner, TimeSpan duration, CancellationToken cancellationToken) =>
            Fails ? throw new StoreUnavailableException("acquire_lease", "Refused by the test.") : base.TryAcquireLeaseAsync(lease, owner, duration, cancellationToken);
    }
}
