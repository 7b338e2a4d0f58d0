using System.Text.Json.Serialization;
using Vapora.Contracts.Serialization;

namespace Vapora.Contracts;

/// <summary>
/// One accepted change of a workflow, as stored in the update log, published to Redis and sent to clients.
/// Version <c>n</c> is the workflow's state after its <c>n</c>-th accepted change.
/// </summary>
public record WorkflowUpdate
{
    /// <summary>The workflow this update belongs to.</summary>
    [JsonPropertyName("workflow_id"), JsonPropertyOrder(0)]
    public required string WorkflowId { get; init; }

    /// <summary>Starts at 1 and grows by exactly 1 per accepted update.</summary>
    [JsonPropertyName("version"), JsonPropertyOrder(1)]
    public required long Version { get; init; }

    /// <summary>The status after this update.</summary>
    [JsonPropertyName("status"), JsonPropertyOrder(2)]
    public required WorkflowStatus Status { get; init; }

    /// <summary>Steps done, 0..<see cref="TotalSteps"/>.</summary>
    [JsonPropertyName("current_step"), JsonPropertyOrder(3)]
    public required int CurrentStep { get; init; }

    /// <summary>Steps in all; 0 when unknown.</summary>
    [JsonPropertyName("total_steps"), JsonPropertyOrder(4)]
    public required int TotalSteps { get; init; }

    /// <summary>A human-readable note about the current step, or null.</summary>
    [JsonPropertyName("message"), JsonPropertyOrder(5)]
    public string? Message { get; init; }

    /// <summary>When the update was accepted (UTC, millisecond precision).</summary>
    [JsonPropertyName("timestamp"), JsonPropertyOrder(6), JsonConverter(typeof(UtcTimestampJsonConverter))]
    public required DateTimeOffset Timestamp { get; init; }
}
