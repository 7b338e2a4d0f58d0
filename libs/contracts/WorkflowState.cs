using System.Text.Json.Serialization;
using Vapora.Contracts.Serialization;

namespace Vapora.Contracts;

/// <summary>
/// A workflow as it is now: its latest <see cref="WorkflowUpdate"/> plus the fields fixed at creation.
/// Returned by <c>GET /api/workflows/{id}</c> and sent as the first frame of a WebSocket stream.
/// </summary>
public sealed record WorkflowState : WorkflowUpdate
{
    /// <summary>The name given at creation.</summary>
    [JsonPropertyName("name"), JsonPropertyOrder(7)]
    public required string Name { get; init; }

    /// <summary>When the workflow was created.</summary>
    [JsonPropertyName("created_at"), JsonPropertyOrder(8), JsonConverter(typeof(UtcTimestampJsonConverter))]
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>
    /// True on the state a gateway sends when a subscription cannot be resumed gap-free: the history after the
    /// client's position was compacted, or the client is ahead of the store (a restore from backup). The client takes
    /// this state as its new start and goes on from its version; what it had is not continued. Never sent as
    /// <c>false</c>: the field is absent otherwise (and always from the REST API).
    /// </summary>
    [JsonPropertyName("reset"), JsonPropertyOrder(9), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool Reset { get; init; }

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

    /// <summary>The latest update this state was built from, as a plain update.</summary>
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
