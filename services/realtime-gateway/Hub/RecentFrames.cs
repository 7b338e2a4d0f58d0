using System.Numerics;
using Vapora.Contracts;
using Vapora.RealtimeGateway.Frames;

namespace Vapora.RealtimeGateway.Hub;

/// <summary>
/// The last few frames of a workflow, contiguous by version, so that a resume or late joiner that is
/// only a little behind is served from memory rather than from the API. Their bytes live in the process's
/// <see cref="RecentFrameLog"/>, and the newest version's bytes are also copied into a buffer of the topic's own, which
/// the log cannot write over and the topic's state is built from. Only frames a resume asked for stay objects: a frame
/// held until the next version (a second, at breadth) outlives a gen0 collection and is promoted, so the window adds
/// nothing for the GC to promote. A frame whose bytes the log has written over ends the window there.
/// Not thread-safe: the topic locks.
/// </summary>
internal sealed class RecentFrames(int capacity, RecentFrameLog log)
{
    private const int InitialSlots = 8;

    private Entry[] _ring = [];
    private int _count;
    private long _last;
    private byte[] _newest = [];
    private int _newestLength;
    private long _newestVersion;

    /// <summary>The oldest version held; <c>Last + 1</c> when empty. Versions whose bytes are gone are let go first.</summary>
    public long First
    {
        get
        {
            DropLost();
            return _last - _count + 1;
        }
    }

    /// <summary>The newest version held (or, when empty, the version the window starts after).</summary>
    public long Last => _last;

    /// <summary>Adds the next version; a non-contiguous version restarts the window.</summary>
    public void Add(UpdateFrame frame)
    {
        KeepNewest(frame);
        if (capacity == 0)
        {
            _last = frame.Version;
            return;
        }

        if (frame.Version != _last + 1)
        {
            Clear();
        }

        MakeRoom(_count + 1);
        _last = frame.Version;
        var position = log.Append(frame.Json.Span);
        _ring[Slot(_last)] = new Entry(position, frame.Json.Length, position >= 0 ? null : frame);
        _count = Math.Min(_count + 1, capacity);
    }

    /// <summary>The newest version's JSON (the one <see cref="Add"/> took last), for the topic's state at its head.</summary>
    public ReadOnlySpan<byte> NewestJson(long version) =>
        version == _newestVersion && version > 0
            ? _newest.AsSpan(0, _newestLength)
            : throw new InvalidOperationException($"Version {version} is not the newest frame added ({_newestVersion}).");

    /// <summary>Starts an empty window just after <paramref name="version"/>.</summary>
    public void ResetAfter(long version)
    {
        Clear();
        _last = version;
        _newestVersion = 0; // a rewound store may hand out this version again with other bytes
    }

    /// <summary>
    /// Extends the window backwards with older frames read from the history (contiguous, oldest first): those just
    /// below the oldest held, newest first, while there is room. Frames already held or newer are skipped; frames that
    /// would leave a hole are not taken.
    /// </summary>
    public void Seed(IReadOnlyList<UpdateFrame> older)
    {
        // Lost versions are let go once, here; one the appends below make lost ends the window at the next First.
        var first = First;
        for (var i = older.Count - 1; i >= 0 && _count < capacity; i--)
        {
            var frame = older[i];
            if (frame.Version >= first)
            {
                continue;
            }

            if (frame.Version != first - 1 || frame.Version < 1)
            {
                break;
            }

            var position = log.Append(frame.Json.Span);
            MakeRoom(_count + 1);
            _ring[Slot(frame.Version)] = new Entry(position, frame.Json.Length, position >= 0 ? null : frame);
            _count++;
            first--;
        }
    }

    /// <summary>True when every version after <paramref name="position"/> up to the newest is held.</summary>
    public bool Covers(long position) => position >= First - 1;

    /// <summary>
    /// Up to <paramref name="max"/> frames after <paramref name="position"/>, oldest first (call <see cref="Covers"/>
    /// first). Fewer when the log wrote over a frame's bytes since: those before it.
    /// </summary>
    public UpdateFrame[] CopyAfter(long position, int max)
    {
        var from = Math.Max(position + 1, First);
        var frames = new UpdateFrame[(int)Math.Clamp(_last - from + 1, 0, max)];
        for (var i = 0; i < frames.Length; i++)
        {
            if (Materialize(from + i) is not { } frame)
            {
                return frames[..i];
            }

            frames[i] = frame;
        }

        return frames;
    }

    private UpdateFrame? Materialize(long version)
    {
        ref var entry = ref _ring[Slot(version)];
        if (entry.Frame is { } frame)
        {
            return frame;
        }

        var json = log.Read(entry.Position, entry.Length);
        if (json is null && version == _newestVersion)
        {
            json = _newest.AsSpan(0, _newestLength).ToArray();
        }

        if (json is null)
        {
            return null;
        }

        if (!WorkflowUpdateHeader.TryRead(json, out var header) || header.Version != version)
        {
            throw new InvalidOperationException($"The recent-frame log returned other bytes for version {version}.");
        }

        // Kept as an object from now on, so that the resumes of a reconnect storm share one copy.
        entry.Frame = new UpdateFrame(header, json, receivedAtTimestamp: 0);
        return entry.Frame;
    }

    /// <summary>Ends the window above the newest version whose bytes are gone (seeded frames went into the log later than newer ones).</summary>
    private void DropLost()
    {
        for (var version = _last; version > _last - _count; version--)
        {
            var entry = _ring[Slot(version)];
            if (entry.Frame is null && version != _newestVersion && !log.Holds(entry.Position))
            {
                _count = (int)(_last - version);
                return;
            }
        }
    }

    /// <summary>
    /// Copies the newest frame's bytes into the topic's own buffer, reused while frames fit (a power of two: a
    /// progress frame a digit longer than the last must not allocate it again).
    /// </summary>
    private void KeepNewest(UpdateFrame frame)
    {
        if (frame.Json.Length > _newest.Length)
        {
            _newest = new byte[BitOperations.RoundUpToPowerOf2((uint)frame.Json.Length)];
        }

        frame.Json.Span.CopyTo(_newest);
        _newestLength = frame.Json.Length;
        _newestVersion = frame.Version;
    }

    /// <summary>Grows the ring (it starts small: most topics hold a few versions) to hold <paramref name="count"/> versions, up to the capacity.</summary>
    private void MakeRoom(int count)
    {
        if (count <= _ring.Length || _ring.Length == capacity)
        {
            return;
        }

        var grown = new Entry[Math.Min(capacity, Math.Max(InitialSlots, _ring.Length * 2))];
        for (var version = _last - _count + 1; version <= _last; version++)
        {
            grown[version % grown.Length] = _ring[Slot(version)];
        }

        _ring = grown;
    }

    private void Clear()
    {
        Array.Clear(_ring);
        _count = 0;
    }

    private int Slot(long version) => (int)(version % _ring.Length);

    /// <summary>Where a version's bytes are in the log (-1: not in it, then the frame is kept), and the frame while it is kept.</summary>
    private struct Entry(long position, int length, UpdateFrame? frame)
    {
        public readonly long Position = position;
        public readonly int Length = length;
        public UpdateFrame? Frame = frame;
    }
}
