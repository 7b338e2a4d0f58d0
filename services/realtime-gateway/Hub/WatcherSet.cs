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

    /// <summary>Hands a live frame to every watcher; returns how many got it.</summary>
    public int Deliver(UpdateFrame frame)
    {
        var items = _items;
        var count = _count;
        for (var i = 0; i < count; i++)
        {
            items[i]!.Deliver(frame, live: true);
        }

        return count;
    }
}
