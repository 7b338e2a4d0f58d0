using Vapora.RealtimeGateway.Frames;

namespace Vapora.RealtimeGateway.Hub;

/// <summary>
/// A topic's local watchers. Not thread-safe: the topic holds its lock around every call, fan-out included. Joins
/// and leaves edit in place (amortized growth, swap-remove), so churn on a workflow with many watchers does not copy
/// the whole set per join or leave.
/// </summary>
internal sealed class WatcherSet
{
    private const int InitialSlots = 4;

    private IWorkflowWatcher?[] _items = [];
    private int _count;

    /// <summary>Readable without the lock (metrics, traces).</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>The slots held: what the set costs a topic in memory, whatever its count.</summary>
    internal int Slots => _items.Length;

    public void Add(IWorkflowWatcher watcher)
    {
        if (_count == _items.Length)
        {
            Array.Resize(ref _items, Math.Max(InitialSlots, _items.Length * 2));
        }

        _items[_count] = watcher;
        Volatile.Write(ref _count, _count + 1);
    }

    public void Remove(IWorkflowWatcher watcher)
    {
        var index = Array.IndexOf(_items, watcher, 0, _count);
        if (index < 0)
        {
            return;
        }

        // Order among watchers carries no meaning: the last one takes the leaver's slot.
        var last = _count - 1;
        _items[index] = _items[last];
        _items[last] = null;
        Volatile.Write(ref _count, last);
        if (last <= _items.Length / 4 && _items.Length > InitialSlots)
        {
            Array.Resize(ref _items, _items.Length / 2);
        }
    }

    /// <summary>
    /// Hands a frame to every watcher; returns how many got it. A watcher that throws is noted in
    /// <paramref name="failed"/> (created on the first failure) and the fan-out goes on: one watcher's bug must not
    /// cost the others a version. The caller removes the failed ones.
    /// </summary>
    public int Deliver(UpdateFrame frame, ref List<(IWorkflowWatcher Watcher, Exception Error)>? failed)
    {
        var items = _items;
        var count = _count;
        var delivered = 0;
        for (var i = 0; i < count; i++)
        {
            var watcher = items[i]!;
            try
            {
                watcher.Deliver(frame);
                delivered++;
            }
            catch (Exception ex)
            {
                (failed ??= []).Add((watcher, ex));
            }
        }

        return delivered;
    }

    /// <summary>Forgets every watcher (the topic stopped).</summary>
    public void Clear()
    {
        _items = [];
        Volatile.Write(ref _count, 0);
    }
}
