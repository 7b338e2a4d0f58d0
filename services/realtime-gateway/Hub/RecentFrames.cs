using Vapora.RealtimeGateway.Frames;

namespace Vapora.RealtimeGateway.Hub;

/// <summary>
/// The last few frames of a workflow, contiguous by version, so that a resume or late joiner that is
/// only a little behind is served from memory rather than from the API. Not thread-safe: the topic locks.
/// </summary>
internal sealed class RecentFrames(int capacity)
{
    private readonly UpdateFrame?[] _ring = new UpdateFrame?[capacity];
    private int _count;
    private long _last;

    /// <summary>The oldest version held; <c>Last + 1</c> when empty.</summary>
    public long First => _last - _count + 1;

    /// <summary>Adds the next version; a non-contiguous version restarts the window.</summary>
    public void Add(UpdateFrame frame)
    {
        if (_ring.Length == 0)
        {
            _last = frame.Version;
            return;
        }

        if (frame.Version != _last + 1)
        {
            Array.Clear(_ring);
            _count = 0;
        }

        _last = frame.Version;
        _ring[frame.Version % _ring.Length] = frame;
        _count = Math.Min(_count + 1, _ring.Length);
    }

    /// <summary>Starts an empty window just after <paramref name="version"/>.</summary>
    public void ResetAfter(long version)
    {
        Array.Clear(_ring);
        _count = 0;
        _last = version;
    }

    /// <summary>
    /// Extends the window backwards with older frames read from the history (contiguous, oldest first): those just
    /// below the oldest held, newest first, while there is room. Frames already held or newer are skipped; frames that
    /// would leave a hole are not taken.
    /// </summary>
    public void Seed(IReadOnlyList<UpdateFrame> older)
    {
        for (var i = older.Count - 1; i >= 0 && _count < _ring.Length; i--)
        {
            var frame = older[i];
            if (frame.Version >= First)
            {
                continue;
            }

            if (frame.Version != First - 1 || frame.Version < 1)
            {
                break;
            }

            _ring[frame.Version % _ring.Length] = frame;
            _count++;
        }
    }

    /// <summary>True when every version after <paramref name="position"/> up to the newest is held.</summary>
    public bool Covers(long position) => position >= First - 1;

    /// <summary>The newest version held (or, when empty, the version the window starts after).</summary>
    public long Last => _last;

    /// <summary>The frame of a version held (between <see cref="First"/> and <see cref="Last"/>).</summary>
    public UpdateFrame this[long version] => version >= First && version <= _last
        ? _ring[version % _ring.Length]!
        : throw new ArgumentOutOfRangeException(nameof(version), version, $"Versions {First}..{_last} are held.");

    /// <summary>Up to <paramref name="max"/> frames after <paramref name="position"/>, oldest first, copied (call <see cref="Covers"/> first).</summary>
    public UpdateFrame[] CopyAfter(long position, int max)
    {
        var from = Math.Max(position + 1, First);
        var frames = new UpdateFrame[(int)Math.Clamp(_last - from + 1, 0, max)];
        for (var i = 0; i < frames.Length; i++)
        {
            frames[i] = _ring[(from + i) % _ring.Length]!;
        }

        return frames;
    }
}
