using System.Text.Json;

namespace Vapora.Contracts;

/// <summary>
/// The fields a router needs from an encoded update (id, version, status), read without
/// deserializing or copying the rest, so the bytes can be forwarded as they are.
/// </summary>
public readonly record struct WorkflowUpdateHeader(string WorkflowId, long Version, WorkflowStatus Status)
{
    /// <summary>The update's <c>timestamp</c> (when the API accepted it) in Unix milliseconds; 0 when absent.</summary>
    public long TimestampUnixMs { get; init; }

    private static ReadOnlySpan<byte> WorkflowIdName => "workflow_id"u8;
    private static ReadOnlySpan<byte> VersionName => "version"u8;
    private static ReadOnlySpan<byte> StatusName => "status"u8;
    private static ReadOnlySpan<byte> TimestampName => "timestamp"u8;

    /// <summary>
    /// Reads the header of one encoded <see cref="WorkflowUpdate"/> (or <see cref="WorkflowState"/>).
    /// False when the bytes are not a single JSON object with a valid id, a version ≥ 1 and a status (one this version
    /// does not know is read by its name: a newer API's status is forwarded, not dropped).
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> json, out WorkflowUpdateHeader header) => TryRead(json, null, out header);

    /// <summary>
    /// As <see cref="TryRead(ReadOnlySpan{byte}, out WorkflowUpdateHeader)"/>, and false unless the update is
    /// <paramref name="expectedWorkflowId"/>'s; the header then holds that very string, so a router that knows which
    /// workflow a channel carries reads a header without allocating.
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> json, string? expectedWorkflowId, out WorkflowUpdateHeader header)
    {
        header = default;
        string? id = null;
        long version = 0;
        WorkflowStatus? status = null;
        long timestamp = 0;
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 4 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals(WorkflowIdName))
                {
                    reader.Read();
                    id = reader.TokenType != JsonTokenType.String ? null
                        : expectedWorkflowId is null ? reader.GetString()
                        : reader.ValueTextEquals(expectedWorkflowId) ? expectedWorkflowId
                        : null;
                }
                else if (reader.ValueTextEquals(VersionName))
                {
                    reader.Read();
                    if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out version))
                    {
                        return false;
                    }
                }
                else if (reader.ValueTextEquals(StatusName))
                {
                    reader.Read();
                    // The known names are compared as bytes; only a name this version does not know becomes a string.
                    status = WorkflowStatusJsonConverter.TryReadKnown(ref reader, out var known) ? known
                        : reader.TokenType == JsonTokenType.String && UnknownWorkflowStatuses.TryGet(reader.GetString(), out var unknown) ? unknown
                        : null;
                }
                else if (reader.ValueTextEquals(TimestampName))
                {
                    reader.Read();
                    if (reader.TokenType != JsonTokenType.String || !reader.TryGetDateTimeOffset(out var at))
                    {
                        return false;
                    }

                    timestamp = at.ToUnixTimeMilliseconds();
                }
                else
                {
                    // Updates and states are flat: a nested value means a foreign payload. Escaped strings are
                    // unescaped once to reject invalid escapes (a lone surrogate) before the bytes are forwarded.
                    reader.Read();
                    if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                    {
                        return false;
                    }

                    if (reader.TokenType == JsonTokenType.String && reader.ValueIsEscaped)
                    {
                        _ = reader.GetString();
                    }
                }
            }

            // The object must close the input: trailing data means a frame we did not produce.
            if (reader.TokenType != JsonTokenType.EndObject || reader.CurrentDepth != 0 || reader.Read())
            {
                return false;
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            // InvalidOperationException: a string with an invalid escaped surrogate ("\ud800").
            return false;
        }

        if (!WorkflowIds.IsValid(id) || version < 1 || status is null)
        {
            return false;
        }

        header = new WorkflowUpdateHeader(id!, version, status.Value) { TimestampUnixMs = timestamp };
        return true;
    }
}
