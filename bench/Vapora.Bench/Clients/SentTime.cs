using System.Buffers.Text;
using Vapora.Contracts.WebSockets;

namespace Vapora.Bench.Clients;

/// <summary>The harness writes its send time (ticks) into an update's <c>message</c>; this reads it back with the version.</summary>
internal static class SentTime
{
    /// <summary>
    /// False when the frame holds no update. <paramref name="sentTicks"/> is 0 when the message is not a harness
    /// timestamp (the state frame a Vapora stream starts with).
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> frame, out long version, out long sentTicks)
    {
        var read = UpdateFrameReader.TryRead(frame, out version, out var message);
        sentTicks = read ? TicksOf(message) : 0;
        return read;
    }

    /// <summary>The harness's send time written by <c>UpdatePayload</c>; 0 when the text is anything else.</summary>
    public static long TicksOf(ReadOnlySpan<byte> message) =>
        Utf8Parser.TryParse(message, out long ticks, out var consumed) && consumed == message.Length ? ticks : 0;

    public static long TicksOf(string? message) =>
        long.TryParse(message, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var ticks) ? ticks : 0;
}
