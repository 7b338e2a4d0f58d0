namespace Vapora.Bench.Measurement;

/// <summary>
/// What one client received of its workflow: each version once and in order? Versions 2, 3, … are the updates the
/// harness sent (1 is the state at creation). Written only by the client's own receive loop; the drain poller reads
/// <see cref="Distinct"/> without locks.
/// </summary>
internal sealed class ClientTracker(int workflow, LatencyRecorder latency)
{
    private ulong[] _seen = new ulong[4];
    private long _distinct;
    private long _highest = 1;

    public int Workflow { get; } = workflow;

    /// <summary>Different versions above 1 received.</summary>
    public long Distinct => Volatile.Read(ref _distinct);

    /// <summary>The highest version received (1 before any update).</summary>
    public long Highest => Volatile.Read(ref _highest);

    /// <summary>Versions missing below <see cref="Highest"/>: skipped (for Vapora, conflated for a slow client), not just late.</summary>
    public long Gaps => Highest - 1 - Distinct;

    public long Duplicated { get; private set; }

    /// <summary>Versions that arrived after a higher one.</summary>
    public long Reordered { get; private set; }

    /// <summary>New versions received inside the measured window (the throughput numerator).</summary>
    public long ReceivedInWindow { get; private set; }

    /// <summary>Frames that were not a readable update.</summary>
    public long Unreadable { get; private set; }

    /// <summary>Set when the server closed or dropped the connection while the harness still wanted it.</summary>
    public string? ClosedBecause { get; private set; }

    /// <summary>Completes at the first frame (for Vapora: the current state, so the subscription is live).</summary>
    public TaskCompletionSource FirstFrame { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>When the connection first dropped (Stopwatch ticks; 0: never), for a client that resumes.</summary>
    public long DisconnectedAt { get; private set; }

    /// <summary>The first frame after that drop: the client is live again (Stopwatch ticks; 0: not yet).</summary>
    public long LiveAgainAt { get; private set; }

    /// <summary>A client that resumed after a drop: left out of the latency histogram (its catch-up is timed apart).</summary>
    public bool Reconnected => DisconnectedAt != 0;

    /// <summary>A deliberately slow consumer: left out of every figure (its own lag is the point of the test).</summary>
    public bool Stalled { get; set; }

    public void OnUpdate(long version, long sentTicks, long receivedTicks)
    {
        FirstFrame.TrySetResult();
        if (DisconnectedAt != 0 && LiveAgainAt == 0)
        {
            LiveAgainAt = receivedTicks;
        }

        if (version <= 1)
        {
            return;
        }

        var index = (int)(version >> 6);
        if (index >= _seen.Length)
        {
            Array.Resize(ref _seen, Math.Max(index + 1, _seen.Length * 2));
        }

        var bit = 1UL << (int)(version & 63);
        if ((_seen[index] & bit) != 0)
        {
            Duplicated++;
            return;
        }

        _seen[index] |= bit;
        Volatile.Write(ref _distinct, _distinct + 1);
        if (version < _highest)
        {
            Reordered++;
        }
        else
        {
            Volatile.Write(ref _highest, version);
        }

        if (latency.InWindow(receivedTicks))
        {
            ReceivedInWindow++;
        }

        if (sentTicks > 0 && !Stalled && !Reconnected)
        {
            latency.Record(sentTicks, receivedTicks);
        }
    }

    /// <summary>The first few versions missing below <see cref="Highest"/> (null when none is).</summary>
    public string? DescribeGaps(int most = 5)
    {
        if (Gaps <= 0)
        {
            return null;
        }

        var missing = new List<long>();
        for (var version = 2L; version < Highest && missing.Count < most; version++)
        {
            if ((_seen[(int)(version >> 6)] & (1UL << (int)(version & 63))) == 0)
            {
                missing.Add(version);
            }
        }

        return $"workflow {Workflow}: missing {string.Join(", ", missing)}{(Gaps > missing.Count ? $" (of {Gaps})" : "")} below {Highest}";
    }

    public void OnUnreadable()
    {
        FirstFrame.TrySetResult();
        Unreadable++;
    }

    /// <summary>The connection dropped and the client will resume (only the first drop is timed).</summary>
    public void OnDisconnected(long ticks)
    {
        if (DisconnectedAt == 0)
        {
            DisconnectedAt = ticks;
        }
    }

    public void OnClosed(string reason)
    {
        ClosedBecause ??= reason;
        FirstFrame.TrySetException(new InvalidOperationException("closed before the first frame: " + reason));
    }
}
