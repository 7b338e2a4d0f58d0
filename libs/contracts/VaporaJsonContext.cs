using System.Text.Json.Serialization;
using Vapora.Contracts.EventStreams;
using Vapora.Contracts.Protocol;

namespace Vapora.Contracts;

/// <summary>
/// Source-generated serializers for every wire type. Use <see cref="Default"/> everywhere so that
/// every process encodes an update to exactly the same bytes.
/// </summary>
[JsonSourceGenerationOptions(
    GenerationMode = JsonSourceGenerationMode.Default,
    AllowDuplicateProperties = false,
    AllowTrailingCommas = false,
    ReadCommentHandling = System.Text.Json.JsonCommentHandling.Disallow)]
[JsonSerializable(typeof(WorkflowUpdate))]
[JsonSerializable(typeof(WorkflowState))]
[JsonSerializable(typeof(CreateWorkflowRequest))]
[JsonSerializable(typeof(UpdateWorkflowRequest))]
[JsonSerializable(typeof(WorkflowPage))]
[JsonSerializable(typeof(IReadOnlyList<WorkflowUpdate>))]
[JsonSerializable(typeof(ClientFrame))]
[JsonSerializable(typeof(ServerFrame))]
[JsonSerializable(typeof(EventStreamClose))]
public sealed partial class VaporaJsonContext : JsonSerializerContext;
