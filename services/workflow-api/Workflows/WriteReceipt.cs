using System.Text.Json.Serialization;
using Vapora.Contracts;

namespace Vapora.WorkflowApi.Workflows;

/// <summary>
/// What a write answers to a caller that may not read the workflow (a token with <c>workflows:write</c> but neither
/// <c>workflows:read</c> nor the workflow in its <c>workflows</c> claim): which workflow and the version the write
/// made, also given as the ETag for a later If-Match. Never the state: writing does not grant reading.
/// </summary>
public sealed record WriteReceipt
{
    /// <summary>The workflow written.</summary>
    [JsonPropertyName("workflow_id")]
    public required string WorkflowId { get; init; }

    /// <summary>The version this write made (or, for a replayed create, version 1).</summary>
    [JsonPropertyName("version")]
    public required long Version { get; init; }

    /// <summary>The receipt of the write that made <paramref name="state"/>.</summary>
    public static WriteReceipt Of(WorkflowState state) => new() { WorkflowId = state.WorkflowId, Version = state.Version };
}
