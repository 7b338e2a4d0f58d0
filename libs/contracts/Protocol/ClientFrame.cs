using System.Text.Json.Serialization;

namespace Vapora.Contracts.Protocol;

/// <summary>
/// A frame a client sends on the multiplexed <c>/ws</c> socket:
/// <c>{"type":"subscribe","workflow_id":"…","after":7}</c>, <c>{"type":"unsubscribe","workflow_id":"…"}</c>,
/// <c>{"type":"token","token":"…"}</c> or <c>{"type":"ping"}</c> (the per-workflow socket takes the last two only).
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed partial record ClientFrame
{
    /// <summary><c>subscribe</c>, <c>unsubscribe</c>, <c>token</c> or <c>ping</c>.</summary>
    [JsonPropertyName("type")]
    public string? Type { get; init; }

    /// <summary>The workflow, for subscribe and unsubscribe.</summary>
    [JsonPropertyName("workflow_id")]
    public string? WorkflowId { get; init; }

    /// <summary>Resume after this version; omit to get the current state first.</summary>
    [JsonPropertyName("after")]
    public long? After { get; init; }

    /// <summary>For <c>token</c>: a fresh access token (JWT) that replaces the connection's own.</summary>
    [JsonPropertyName("token")]
    public string? Token { get; init; }
}
