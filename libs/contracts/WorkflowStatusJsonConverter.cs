using System.Text.Json;
using System.Text.Json.Serialization;

namespace Vapora.Contracts;

/// <summary>
/// Strict converter for <see cref="WorkflowStatus"/>: exactly the lowercase wire names.
/// The stock enum converter also accepts integers, which would let <c>"status": 99</c> through.
/// </summary>
public sealed class WorkflowStatusJsonConverter : JsonConverter<WorkflowStatus>
{
    private static readonly string[] Names = ["pending", "running", "completed", "failed", "cancelled"];
    private static readonly JsonEncodedText[] EncodedNames = Array.ConvertAll(Names, n => JsonEncodedText.Encode(n));

    /// <inheritdoc />
    public override WorkflowStatus Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            for (var i = 0; i < EncodedNames.Length; i++)
            {
                if (reader.ValueTextEquals(EncodedNames[i].EncodedUtf8Bytes))
                {
                    return (WorkflowStatus)i;
                }
            }
        }

        throw new JsonException($"status must be one of {string.Join(", ", Names)}.");
    }

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, WorkflowStatus value, JsonSerializerOptions options) =>
        writer.WriteStringValue(EncodedNames[(int)value]);

    internal static string NameOf(WorkflowStatus status) => Names[(int)status];

    internal static bool TryParse(string? value, out WorkflowStatus status)
    {
        var index = Array.IndexOf(Names, value);
        status = index < 0 ? default : (WorkflowStatus)index;
        return index >= 0;
    }
}
