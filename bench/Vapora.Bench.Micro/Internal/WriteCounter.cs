namespace Vapora.Bench.Micro.Internal;

/// <summary>
/// Counts frames written to sockets (one stream write per WebSocket frame) and lets the benchmark thread wait,
/// without allocating, until an expected number has been written by the writer loops.
/// </summary>
internal sealed class WriteCounter : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private readonly ManualResetEventSlim _reached = new(false);
    private long _writes;
    private long _target = long.MaxValue;

    public long Writes => Volatile.Read(ref _writes);

    public void OnWrite()
    {
        if (Interlocked.Increment(ref _writes) >= Volatile.Read(ref _target))
        {
            _reached.Set();
        }
    }

    /// <summary>Arms the counter for <paramref name="more"/> writes; call before triggering them.</summary>
    public void Expect(long more)
    {
        _reached.Reset();
        Volatile.Write(ref _target, Writes + more);
        if (Writes >= Volatile.Read(ref _target))
        {
            _reached.Set();
        }
    }

    /// <summary>Waits for the armed number of writes.</summary>
    public void Wait()
    {
        if (!_reached.Wait(Deadline))
        {
            throw new TimeoutException($"Only {Writes} of {Volatile.Read(ref _target)} frames were written within {Deadline}.");
        }
    }

    public void Dispose() => _reached.Dispose();
}
