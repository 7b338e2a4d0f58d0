using Vapora.WorkflowApi.Internal;

namespace Vapora.WorkflowApi.Persistence;

/// <summary>
/// One replica's hold on a lease in the store (<see cref="IStoragePrimitives.TryAcquireLeaseAsync"/>): which replica
/// relays the outbox, which one sweeps. The holder renews it a third of the way through, before any work that needs it;
/// it counts its hold from before it asked the store, so it believes itself the holder no longer than the store does.
/// A holder that stops renewing (dead, cut off) loses the lease after its duration, and another replica takes it.
/// </summary>
public sealed class StoreLease
{
    // This process among all that share the store (a restarted container may reuse a host name and process id).
    private static readonly string ProcessTag = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}";
    private static int s_instances;

    private readonly IStoragePrimitives _storage;
    private readonly TimeProvider _time;
    private readonly ApiMetrics _metrics;
    private readonly TimeSpan _renewAfter;
    private long? _heldFrom;

    /// <summary>A lease named <paramref name="name"/> of <paramref name="duration"/>, for an owner unique to this instance.</summary>
    public StoreLease(string name, TimeSpan duration, IStoragePrimitives storage, TimeProvider time, ApiMetrics metrics)
    {
        Name = name;
        Duration = duration;
        _storage = storage;
        _time = time;
        _metrics = metrics;
        _renewAfter = duration / 3;
        // Unique per instance, and telling which process holds it when read in the store.
        Owner = $"{ProcessTag}/{Interlocked.Increment(ref s_instances)}";
    }

    /// <summary>The lease's name in the store.</summary>
    public string Name { get; }

    /// <summary>How long a hold lasts unless renewed.</summary>
    public TimeSpan Duration { get; }

    /// <summary>This instance's name as the lease's owner.</summary>
    public string Owner { get; }

    /// <summary>True while this instance holds the lease, as far as it knows without asking the store.</summary>
    public bool IsHeld => _heldFrom is { } from && _time.GetElapsedTime(from) < Duration;

    /// <summary>
    /// True when this instance holds the lease: held and renewed recently, or taken or renewed now. A store that fails
    /// the call leaves this instance not holding it (and the failure goes on to the caller).
    /// </summary>
    public async Task<bool> TryHoldAsync(CancellationToken cancellationToken)
    {
        if (_heldFrom is { } from && _time.GetElapsedTime(from) < _renewAfter)
        {
            return true;
        }

        var asked = _time.GetTimestamp();
        var held = false;
        try
        {
            held = await _storage.TryAcquireLeaseAsync(Name, Owner, Duration, cancellationToken);
        }
        finally
        {
            _heldFrom = held ? asked : null;
            _metrics.LeaseHeld(Name, held);
        }

        return held;
    }

    /// <summary>Gives the lease up (when held), so that another replica takes it without waiting for it to expire.</summary>
    public async Task ReleaseAsync(CancellationToken cancellationToken)
    {
        if (_heldFrom is null)
        {
            return;
        }

        _heldFrom = null;
        _metrics.LeaseHeld(Name, false);
        await _storage.ReleaseLeaseAsync(Name, Owner, cancellationToken);
    }
}
