using System.Text.Json.Serialization;

namespace Vapora.Contracts;

/// <summary>One page of <c>GET /api/workflows</c>, newest first.</summary>
public sealed record WorkflowPage
{
    /// <summary>The workflows on this page.</summary>
    [JsonPropertyName("items")]
    public required IReadOnlyList<WorkflowState> Items { get; init; }

    /// <summary>Pass as <c>cursor</c> to get the next page; null on the last page.</summary>
    [JsonPropertyName("next_cursor")]
    public string? NextCursor { get; init; }
}
