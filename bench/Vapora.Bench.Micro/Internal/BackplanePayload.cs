using System.Globalization;
using System.Text;

namespace Vapora.Bench.Micro.Internal;

/// <summary>
/// A backplane message as it arrives from Redis (a <c>traceparent</c> line, then the update's JSON as the API encoded
/// it). <see cref="Next"/> writes the next version into the same buffer, so every forwarded message is a fresh version
/// (the topic drops duplicates) and the benchmark allocates nothing itself. The version is right-aligned in a run of
/// spaces, which JSON allows before a value.
/// </summary>
internal sealed class BackplanePayload
{
    private const int VersionWidth = 19;
    private const string TraceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

    private readonly byte[] _buffer;
    private readonly int _jsonAt;
    private readonly int _versionAt;

    public BackplanePayload(string workflowId, long lastVersion)
    {
        var prefix = TraceParent + "\n";
        var head = prefix + "{\"workflow_id\":\"" + workflowId + "\",\"version\":";
        const string Tail = ",\"status\":\"running\",\"current_step\":3,\"total_steps\":10,"
            + "\"message\":\"Building images\",\"timestamp\":\"2026-11-28T17:00:00.000Z\"}";
        _buffer = Encoding.UTF8.GetBytes(head + new string(' ', VersionWidth) + Tail);
        _jsonAt = Encoding.UTF8.GetByteCount(prefix);
        _versionAt = Encoding.UTF8.GetByteCount(head);
        Version = lastVersion;
    }

    /// <summary>The version in the buffer now.</summary>
    public long Version { get; private set; }

    /// <summary>The whole message, as the broker hands it to the hub.</summary>
    public byte[] Buffer => _buffer;

    /// <summary>Where the update's JSON starts (after the trace line): the bytes clients must receive unchanged.</summary>
    public int JsonOffset => _jsonAt;

    /// <summary>Bumps the version in place and returns the message.</summary>
    public ReadOnlyMemory<byte> Next()
    {
        Version++;
        var field = _buffer.AsSpan(_versionAt, VersionWidth);
        field.Fill((byte)' ');
        Span<byte> digits = stackalloc byte[VersionWidth];
        Version.TryFormat(digits, out var written, default, CultureInfo.InvariantCulture);
        digits[..written].CopyTo(field[(VersionWidth - written)..]);
        return _buffer;
    }
}
