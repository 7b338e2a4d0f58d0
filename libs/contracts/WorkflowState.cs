using System.Text.Json.Serialization;

namespace Vapora.Contracts;

/// <summary>
/// A workflow as it is now: its latest <see cref="WorkflowUpdate"/> plus the fields fixed at creation.
/// Returned by <c>GET /api/workflows/{id}</c> and sent as the first frame of a WebSocket stream.
/// </summary>
public sealed record WorkflowState
{
    /// <summary>The workflow's id.</summary>
    [JsonPropertyName("workflow_id"), JsonPropertyOrder(0)]
    public required string WorkflowId { get; init; }

    /// <summary>The latest version.</summary>
    [JsonPropertyName("version"), JsonPropertyOrder(1)]
    public required long Version { get; init; }

    /// <summary>The current status.</summary>
    [JsonPropertyName("status"), JsonPropertyOrder(2)]
    public required WorkflowStatus Status { get; init; }

    /// <summary>Steps done.</summary>
    [JsonPropertyName("current_step"), JsonPropertyOrder(3)]
    public required int CurrentStep { get; init; }

    /// <summary>Steps in all; 0 when unknown.</summary>
    [JsonPropertyName("total_steps"), JsonPropertyOrder(4)]
    public required int TotalSteps { get; init; }

    /// <summary>The latest message, or null.</summary>
    [JsonPropertyName("message"), JsonPropertyOrder(5)]
    public string? Message { get; init; }

    /// <summary>When the latest update was accepted.</summary>
    [JsonPropertyName("timestamp"), JsonPropertyOrder(6), JsonConverter(typeof(UtcTimestampJsonConverter))]
    public required DateTimeOffset Timestamp { get; init; }

    /// <summary>The name given at creation.</summary>
    [JsonPropertyName("name"), JsonPropertyOrder(7)]
    public required string Name { get; init; }

    /// <summary>When the workflow was created.</summary>
    [JsonPropertyName("created_at"), JsonPropertyOrder(8), JsonConverter(typeof(UtcTimestampJsonConverter))]
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>Builds the state from the latest update and the creation fields.</summary>
    public static WorkflowState From(WorkflowUpdate latest, string name, DateTimeOffset createdAt) => new()
    {
        WorkflowId = latest.WorkflowId,
        Version = latest.Version,
        Status = latest.Status,
        CurrentStep = latest.CurrentStep,
        TotalSteps = latest.TotalSteps,
        Message = latest.Message,
        Timestamp = latest.Timestamp,
        Name = name,
        CreatedAt = createdAt,
    };

    /// <summary>The latest update this state was built from.</summary>
    public WorkflowUpdate ToUpdate() => new()
    {
        WorkflowId = WorkflowId,
        Version = Version,
        Status = Status,
        CurrentStep = CurrentStep,
        TotalSteps = TotalSteps,
        Message = Message,
        Timestamp = Timestamp,
    };
}
