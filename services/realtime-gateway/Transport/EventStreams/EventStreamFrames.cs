using System.Globalization;
using System.Text;
using Vapora.Contracts.EventStreams;

namespace Vapora.RealtimeGateway.Transport.EventStreams;

/// <summary>The SSE text an event stream sends besides updates, already encoded (see <see cref="EventStreamTransport"/>).</summary>
internal static class EventStreamFrames
{
    /// <summary>A comment: keeps proxies from cutting an idle stream and tells the client the stream is alive.</summary>
    public static readonly ReadOnlyMemory<byte> Heartbeat = ": keep-alive\n\n"u8.ToArray();

    /// <summary>
    /// The first bytes of a stream: how long an <c>EventSource</c> waits before reconnecting, a random value between half
    /// and all of <paramref name="retry"/> so that the streams of one gateway do not all come back at once.
    /// </summary>
    public static ReadOnlyMemory<byte> Preamble(TimeSpan retry, Random random)
    {
        var full = (long)retry.TotalMilliseconds;
        var milliseconds = full / 2 + random.NextInt64(full - full / 2 + 1);
        return Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"retry: {milliseconds}\n\n"));
    }

    /// <summary>A named event whose data is one line of JSON (the <c>/ws</c> error frame for <see cref="EventStreamEvents.WorkflowError"/>).</summary>
    public static ReadOnlyMemory<byte> Named(string name, ReadOnlyMemory<byte> json)
    {
        var head = Encoding.UTF8.GetBytes($"event: {name}\ndata: ");
        var frame = new byte[head.Length + json.Length + 2];
        head.CopyTo(frame, 0);
        json.Span.CopyTo(frame.AsSpan(head.Length));
        frame[^2] = (byte)'\n';
        frame[^1] = (byte)'\n';
        return frame;
    }
}
