using System.Text.Json;

namespace Vapora.Contracts.WebSockets;

/// <summary>
/// Reads the <c>version</c> of an update frame as a client receives it, without deserializing or allocating: a bare
/// update or state (single-workflow streams) or the <c>/ws</c> envelope <c>{"type":"update","data":{…}}</c>.
/// </summary>
public static class UpdateFrameReader
{
    private static ReadOnlySpan<byte> VersionName => "version"u8;
    private static ReadOnlySpan<byte> MessageName => "message"u8;
    private static ReadOnlySpan<byte> DataName => "data"u8;

    /// <summary>False when the frame holds no update (a control frame such as pong, or not JSON).</summary>
    public static bool TryReadVersion(ReadOnlySpan<byte> frame, out long version) => TryRead(frame, out version, out _);

    /// <summary>
    /// Also returns the update's <c>message</c> as raw UTF-8 when it is a plain string (empty when absent, null or
    /// escaped): the benchmark harness carries its send time there.
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> frame, out long version, out ReadOnlySpan<byte> message)
    {
        version = 0;
        message = default;
        try
        {
            var reader = new Utf8JsonReader(frame);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject || !ReadObject(ref reader, out version, out var text))
            {
                return false;
            }

            message = frame[text];
            return true;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException)
        {
            // Not JSON, or a version that is not an integer.
            version = 0;
            message = default;
            return false;
        }
    }

    private static bool ReadObject(ref Utf8JsonReader reader, out long version, out Range message)
    {
        version = 0;
        message = default;
        var found = 0;
        while (found < 2 && reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals(VersionName))
            {
                reader.Read();
                version = reader.GetInt64();
                found++;
            }
            else if (reader.ValueTextEquals(MessageName))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped)
                {
                    // The token starts at the opening quote; the reader was given one span, so the text is contiguous.
                    var start = (int)reader.TokenStartIndex + 1;
                    message = start..(start + reader.ValueSpan.Length);
                }

                found++;
            }
            else if (reader.ValueTextEquals(DataName))
            {
                reader.Read();
                return reader.TokenType == JsonTokenType.StartObject && ReadObject(ref reader, out version, out message);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        return version > 0;
    }
}
