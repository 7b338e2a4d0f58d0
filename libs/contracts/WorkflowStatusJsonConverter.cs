using System.Text.Json;
using System.Text.Json.Serialization;

namespace Vapora.Contracts;

/// <summary>
/// Converter for <see cref="WorkflowStatus"/>: the lowercase wire names, and a name this version does not know (a newer
/// API's) as a value of its own that writes back as the same name (see <see cref="WorkflowStatusRules.IsKnown"/>), so
/// adding a status does not break older gateways and clients. The stock enum converter would also accept integers,
/// which would let <c>"status": 99</c> through; this one takes strings only. What the API accepts as input is strict
/// (<see cref="KnownWorkflowStatusJsonConverter"/>).
/// </summary>
public sealed class WorkflowStatusJsonConverter : JsonConverter<WorkflowStatus>
{
    private static readonly string[] Names = ["pending", "running", "completed", "failed", "cancelled"];
    private static readonly JsonEncodedText[] EncodedNames = Array.ConvertAll(Names, n => JsonEncodedText.Encode(n));

    /// <inheritdoc />
    public override WorkflowStatus Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (TryReadKnown(ref reader, out var status)
            || (reader.TokenType == JsonTokenType.String && UnknownWorkflowStatuses.TryGet(reader.GetString(), out status)))
        {
            return status;
        }

        throw new JsonException($"status must be a lowercase name such as {string.Join(", ", Names)}.");
    }

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, WorkflowStatus value, JsonSerializerOptions options)
    {
        if ((uint)value < (uint)EncodedNames.Length)
        {
            writer.WriteStringValue(EncodedNames[(int)value]);
        }
        else
        {
            writer.WriteStringValue(UnknownWorkflowStatuses.NameOf(value) ?? throw new JsonException($"{(int)value} is not a workflow status."));
        }
    }

    internal static string NameOf(WorkflowStatus status) =>
        (uint)status < (uint)Names.Length ? Names[(int)status]
        : UnknownWorkflowStatuses.NameOf(status) ?? throw new ArgumentOutOfRangeException(nameof(status), (int)status, "Not a workflow status.");

    internal static bool IsNamed(WorkflowStatus status) => (uint)status < (uint)Names.Length;

    internal static bool TryReadKnown(ref Utf8JsonReader reader, out WorkflowStatus status)
    {
        status = default;
        if (reader.TokenType == JsonTokenType.String)
        {
            for (var i = 0; i < EncodedNames.Length; i++)
            {
                if (reader.ValueTextEquals(EncodedNames[i].EncodedUtf8Bytes))
                {
                    status = (WorkflowStatus)i;
                    return true;
                }
            }
        }

        return false;
    }

    internal static bool TryParse(string? value, out WorkflowStatus status)
    {
        var index = Array.IndexOf(Names, value);
        status = index < 0 ? default : (WorkflowStatus)index;
        return index >= 0;
    }

    internal static string KnownNames => string.Join(", ", Names);
}
