using System.Text.Json;

namespace Vapora.Bench.Clients;

/// <summary>
/// Reads one record of the SignalR JSON hub protocol (records end with 0x1E) without allocating: its type and, for an
/// <c>update</c> invocation, the version and send time from <c>arguments[0]</c>.
/// </summary>
internal static class SignalRRecordReader
{
    /// <summary>Ends every record of the JSON hub protocol.</summary>
    public const byte RecordSeparator = 0x1E;

    public const int InvocationType = 1;
    public const int CompletionType = 3;
    public const int PingType = 6;
    public const int CloseType = 7;

    private static ReadOnlySpan<byte> TypeName => "type"u8;
    private static ReadOnlySpan<byte> ArgumentsName => "arguments"u8;
    private static ReadOnlySpan<byte> ErrorName => "error"u8;

    /// <summary>False when the record is not JSON. <paramref name="error"/> is set for a completion that failed.</summary>
    public static bool TryRead(ReadOnlySpan<byte> record, out int type, out long version, out long sentTicks, out bool error)
    {
        type = 0;
        version = 0;
        sentTicks = 0;
        error = false;
        try
        {
            var reader = new Utf8JsonReader(record);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals(TypeName))
                {
                    reader.Read();
                    type = reader.GetInt32();
                }
                else if (reader.ValueTextEquals(ArgumentsName))
                {
                    reader.Read();
                    if (reader.TokenType != JsonTokenType.StartArray)
                    {
                        reader.Skip();
                        continue;
                    }

                    while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    {
                        var start = (int)reader.TokenStartIndex;
                        var isObject = reader.TokenType == JsonTokenType.StartObject;
                        reader.Skip();
                        if (isObject && version == 0)
                        {
                            // The update: the same fields as a Vapora frame, read the same way.
                            SentTime.TryRead(record[start..(int)reader.BytesConsumed], out version, out sentTicks);
                        }
                    }
                }
                else
                {
                    error |= reader.ValueTextEquals(ErrorName);
                    reader.Read();
                    reader.Skip();
                }
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException)
        {
            return false;
        }

        return true;
    }
}
