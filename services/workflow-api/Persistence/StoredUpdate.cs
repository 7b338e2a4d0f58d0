using System.Text.Json;
using Vapora.Contracts;

namespace Vapora.WorkflowApi.Persistence;

/// <summary>
/// An update as the log holds it: the value and its UTF-8 JSON, encoded once when it was accepted.
/// The same bytes are published to Redis and returned by the history endpoint.
/// </summary>
public sealed record StoredUpdate(WorkflowUpdate Update, ReadOnlyMemory<byte> Json)
{
    /// <summary>Encodes an update with the shared serializer.</summary>
    public static StoredUpdate Encode(WorkflowUpdate update) =>
        new(update, JsonSerializer.SerializeToUtf8Bytes(update, VaporaJsonContext.Default.WorkflowUpdate));

    /// <summary>Reads stored bytes back; bytes that are not an update are a <see cref="StoredDataException"/>, never skipped.</summary>
    public static StoredUpdate Decode(byte[] json)
    {
        try
        {
            return new StoredUpdate(
                JsonSerializer.Deserialize(json, VaporaJsonContext.Default.WorkflowUpdate) ?? throw new StoredDataException("A stored update is JSON null."),
                json);
        }
        catch (JsonException ex)
        {
            throw new StoredDataException("A stored update is not a valid update: " + ex.Message, ex);
        }
    }
}
