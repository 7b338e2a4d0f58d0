using System.Text.Json.Serialization;

namespace Vapora.Contracts.Protocol;

/// <summary>
/// A frame a client sends on the multiplexed <c>/ws</c> socket:
/// <c>{"type":"subscribe","workflow_id":"…","after":7}</c>, <c>{"type":"unsubscribe","workflow_id":"…"}</c>
/// or <c>{"type":"ping"}</c>.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record ClientFrame
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

    /// <summary>Frame type names.</summary>
    public static class Types
    {
        /// <summary>Start watching a workflow.</summary>
        public const string Subscribe = "subscribe";
        /// <summary>Stop watching a workflow.</summary>
        public const string Unsubscribe = "unsubscribe";
        /// <summary>Application-level ping; answered with pong.</summary>
        public const string Ping = "ping";
    }
}
