namespace Vapora.RealtimeGateway.Hub;

/// <summary>
/// The bytes of every topic's recent frames, in one circular log of the process (<see cref="HubOptions.RecentFramesMaxBytes"/>).
/// Frames kept as objects for minutes (128 per workflow) were promoted to gen2 one by one and made every gen1
/// collection long at breadth; here they are copied into a few long-lived segments, and a topic keeps only where its
/// frames' bytes are. Writing reuses the oldest segment, so a position is held until the log has gone round once:
/// the budget bounds the memory however many workflows are watched, and a resume from further back reads the history.
/// Thread-safe: appends and reads take one short lock; <see cref="Holds"/> is a hint that <see cref="Read"/> confirms.
/// </summary>
internal sealed class RecentFrameLog
{
    /// <summary>Size of one segment (smaller when the whole budget is smaller).</summary>
    public const int SegmentBytes = 1 << 20;

    private readonly object _lock = new();
    private readonly byte[]?[] _segments;
    private readonly int _segmentBytes;
    private long _segment;
    private int _offset;
    private int _allocated;

    public RecentFrameLog(long maxBytes, int segmentBytes = SegmentBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxBytes);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(segmentBytes);
        _segmentBytes = (int)Math.Min(segmentBytes, maxBytes);
        _segments = maxBytes == 0 ? [] : new byte[]?[maxBytes / _segmentBytes];
    }

    /// <summary>Bytes of the segments allocated so far (they are allocated as the log first fills, then reused).</summary>
    public long AllocatedBytes => (long)Volatile.Read(ref _allocated) * _segmentBytes;

    /// <summary>Copies <paramref name="bytes"/> in; the position to read them back, or -1 when the log cannot hold them (no budget, or larger than a segment).</summary>
    public long Append(ReadOnlySpan<byte> bytes)
    {
        if (_segments.Length == 0 || bytes.Length > _segmentBytes)
        {
            return -1;
        }

        lock (_lock)
        {
            if (_offset + bytes.Length > _segmentBytes)
            {
                Volatile.Write(ref _segment, _segment + 1);
                _offset = 0;
            }

            ref var buffer = ref _segments[_segment % _segments.Length];
            if (buffer is null)
            {
                // Uninitialized: the pages cost memory only once frames are written into them.
                buffer = GC.AllocateUninitializedArray<byte>(_segmentBytes);
                Volatile.Write(ref _allocated, _allocated + 1);
            }

            bytes.CopyTo(buffer.AsSpan(_offset));
            var position = _segment * _segmentBytes + _offset;
            _offset += bytes.Length;
            return position;
        }
    }

    /// <summary>True while the bytes at <paramref name="position"/> have not been written over (a hint: they may be by the next append).</summary>
    public bool Holds(long position) => position >= 0 && _segments.Length > 0 && position / _segmentBytes > Volatile.Read(ref _segment) - _segments.Length;

    /// <summary>A copy of the bytes at <paramref name="position"/>, or null when the log has written over them.</summary>
    public byte[]? Read(long position, int length)
    {
        lock (_lock)
        {
            if (!Holds(position))
            {
                return null;
            }

            var buffer = _segments[position / _segmentBytes % _segments.Length]!;
            return buffer.AsSpan((int)(position % _segmentBytes), length).ToArray();
        }
    }
}
