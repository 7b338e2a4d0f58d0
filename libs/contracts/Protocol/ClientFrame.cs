using System.Text.Json.Serialization;

namespace Vapora.Contracts.Protocol;

/// <summary>
/// A frame a client sends on the multiplexed <c>/ws</c> socket:
/// <c>{"type":"subscribe","workflow_id":"…","after":7}</c>, <c>{"type":"unsubscribe","workflow_id":"…"}</c>
/// or <c>{"type":"ping"}</c>.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed partial record ClientFrame
{
    /// <summary><c>subscribe</c>, <c>unsubscribe</c> or <c>ping</c>.</summary>
    [JsonPropertyName("type")]
    public string? Type { get; init; }

    /// <summary>The workflow, for subscribe and unsubscribe.</summary>
    [JsonPropertyName("workflow_id")]
    public string? WorkflowId { get; init; }

    /// <summary>Resume after this version; omit to get the current state first.</summary>
    [JsonPropertyName("after")]
    public long? After { get; init; }
}
