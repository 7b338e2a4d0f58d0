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
        new(update, System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(update, VaporaJsonContext.Default.WorkflowUpdate));
}
