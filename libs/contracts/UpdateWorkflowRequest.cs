using System.Text.Json.Serialization;

namespace Vapora.Contracts;

/// <summary>
/// Body of <c>PATCH /api/workflows/{id}</c>: any of the fields, at least one.
/// Omitted (or null) fields keep their current value. Unknown fields are rejected.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record UpdateWorkflowRequest
{
    /// <summary>The new status: one this version knows (a name it does not know is refused).</summary>
    [JsonPropertyName("status"), JsonConverter(typeof(KnownWorkflowStatusJsonConverter))]
    public WorkflowStatus? Status { get; init; }

    /// <summary>Steps done, 0..total_steps.</summary>
    [JsonPropertyName("current_step")]
    public int? CurrentStep { get; init; }

    /// <summary>Steps in all.</summary>
    [JsonPropertyName("total_steps")]
    public int? TotalSteps { get; init; }

    /// <summary>A note about the current step; an empty string clears it.</summary>
    [JsonPropertyName("message")]
    public string? Message { get; init; }
}
