using System.Text.Json;
using System.Text.Json.Serialization;

namespace Vapora.Contracts;

/// <summary>
/// Strict converter for a status a client asks for (request bodies): exactly one of the names this version knows, so
/// the API refuses a status it cannot apply with a clear 400 instead of storing it.
/// </summary>
public sealed class KnownWorkflowStatusJsonConverter : JsonConverter<WorkflowStatus>
{
    /// <inheritdoc />
    public override WorkflowStatus Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        WorkflowStatusJsonConverter.TryReadKnown(ref reader, out var status)
            ? status
            : throw new JsonException($"status must be one of {WorkflowStatusJsonConverter.KnownNames}.");

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, WorkflowStatus value, JsonSerializerOptions options) =>
        writer.WriteStringValue(WorkflowStatusJsonConverter.NameOf(value));
}
