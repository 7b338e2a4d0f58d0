using System.Text;

namespace Vapora.Contracts;

/// <summary>
/// What travels on a workflow's Redis channel: the update's JSON, optionally preceded by a W3C
/// <c>traceparent</c> and a newline, so traces continue from the REST request to the gateway's fan-out.
/// The JSON part is forwarded to clients unchanged; the prefix never reaches them.
/// </summary>
public static class BackplaneMessage
{
    private const int MaxPrefix = 128;

    /// <summary>Builds a message: <c>traceparent\n{json}</c>, or just the JSON when there is no trace.</summary>
    public static byte[] Create(string? traceParent, ReadOnlySpan<byte> json)
    {
        if (string.IsNullOrEmpty(traceParent))
        {
            return json.ToArray();
        }

        var prefix = Encoding.ASCII.GetByteCount(traceParent);
        var message = new byte[prefix + 1 + json.Length];
        Encoding.ASCII.GetBytes(traceParent, message);
        message[prefix] = (byte)'\n';
        json.CopyTo(message.AsSpan(prefix + 1));
        return message;
    }

    /// <summary>Splits a message into its trace parent (null when absent or unreadable) and its JSON.</summary>
    public static (string? TraceParent, ReadOnlyMemory<byte> Json) Split(ReadOnlyMemory<byte> message)
    {
        var span = message.Span;
        if (span.IsEmpty || span[0] == (byte)'{')
        {
            return (null, message);
        }

        var newline = span[..Math.Min(span.Length, MaxPrefix)].IndexOf((byte)'\n');
        if (newline < 0)
        {
            return (null, message);
        }

        var prefix = span[..newline];
        foreach (var b in prefix)
        {
            if (b is < 0x21 or > 0x7E)
            {
                return (null, message);
            }
        }

        return (Encoding.ASCII.GetString(prefix), message[(newline + 1)..]);
    }
}
