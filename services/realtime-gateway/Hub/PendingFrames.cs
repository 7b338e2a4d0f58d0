using Vapora.RealtimeGateway.Frames;

namespace Vapora.RealtimeGateway.Hub;

/// <summary>
/// Versions that arrived ahead of a gap (or before the baseline was known), in version order, bounded. Not
/// thread-safe: the topic locks.
/// </summary>
internal sealed class PendingFrames(int capacity)
{
    private readonly SortedList<long, UpdateFrame> _frames = [];

    public int Count => _frames.Count;

    /// <summary>Keeps a frame; past the bound the newest is dropped (the repair reads it back from the log).</summary>
    public void Add(UpdateFrame frame)
    {
        if (_frames.Count < capacity || frame.Version < _frames.Keys[^1])
        {
            _frames[frame.Version] = frame;
            if (_frames.Count > capacity)
            {
                _frames.RemoveAt(_frames.Count - 1);
            }
        }
    }

    /// <summary>True when something is held that does not follow <paramref name="head"/> directly.</summary>
    public bool HasGapAfter(long head) => _frames.Count > 0 && _frames.Keys[0] > head + 1;

    /// <summary>Drops what is at or below <paramref name="head"/>; returns the next version if it is held.</summary>
    public UpdateFrame? TakeNext(long head)
    {
        while (_frames.Count > 0 && _frames.Keys[0] <= head)
        {
            _frames.RemoveAt(0);
        }

        if (_frames.Count == 0 || _frames.Keys[0] != head + 1)
        {
            return null;
        }

        var frame = _frames.Values[0];
        _frames.RemoveAt(0);
        return frame;
    }

    public void Clear() => _frames.Clear();
}
