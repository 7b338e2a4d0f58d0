using System.Buffers.Text;
using System.Text.Json;

namespace Vapora.Bench.Clients;

/// <summary>Reads <c>version</c> and the send time (in <c>message</c>) from an update frame, without allocating.</summary>
internal static class UpdateFrameReader
{
    private static ReadOnlySpan<byte> VersionName => "version"u8;
    private static ReadOnlySpan<byte> MessageName => "message"u8;

    /// <summary>
    /// False when the frame is not a JSON object with a numeric version. <paramref name="sentTicks"/> is 0 when the
    /// message is not a harness timestamp (the state frame a Vapora stream starts with).
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> frame, out long version, out long sentTicks)
    {
        version = 0;
        sentTicks = 0;
        var found = 0;
        try
        {
            var reader = new Utf8JsonReader(frame);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            while (found < 2 && reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals(VersionName))
                {
                    reader.Read();
                    if (!reader.TryGetInt64(out version))
                    {
                        return false;
                    }

                    found++;
                }
                else if (reader.ValueTextEquals(MessageName))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped)
                    {
                        sentTicks = TicksOf(reader.ValueSpan);
                    }

                    found++;
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
        }
        catch (JsonException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            // TryGetInt64 on a token that is not a number.
            return false;
        }

        return version > 0;
    }

    /// <summary>The harness's send time written by <c>UpdatePayload</c>; 0 when the text is anything else.</summary>
    public static long TicksOf(ReadOnlySpan<byte> message) =>
        Utf8Parser.TryParse(message, out long ticks, out var consumed) && consumed == message.Length ? ticks : 0;

    public static long TicksOf(string? message) =>
        long.TryParse(message, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var ticks) ? ticks : 0;
}
