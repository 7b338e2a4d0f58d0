using System.Text.Json.Serialization;

namespace Vapora.WorkflowApi.Workflows;

/// <summary>Source-generated serializers for the API's own answers (the shared wire types are in <c>VaporaJsonContext</c>).</summary>
[JsonSourceGenerationOptions(GenerationMode = JsonSourceGenerationMode.Default)]
[JsonSerializable(typeof(WriteReceipt))]
internal sealed partial class ApiJsonContext : JsonSerializerContext;
