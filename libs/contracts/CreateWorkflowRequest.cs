using System.Text.Json.Serialization;

namespace Vapora.Contracts;

/// <summary>Body of <c>POST /api/workflows</c>. Unknown fields are rejected.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record CreateWorkflowRequest
{
    /// <summary>Required, 1–200 characters.</summary>
    [JsonPropertyName("name")]
    public string? Name { get; init; }

    /// <summary>Optional number of steps (0 when unknown).</summary>
    [JsonPropertyName("total_steps")]
    public int? TotalSteps { get; init; }

    /// <summary>Optional initial message.</summary>
    [JsonPropertyName("message")]
    public string? Message { get; init; }
}
