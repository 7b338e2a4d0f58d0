using System.Text.Json.Serialization;

namespace Vapora.Contracts.Protocol;

/// <summary>
/// A control frame the gateway sends on the multiplexed <c>/ws</c> socket: <c>subscribed</c>, <c>unsubscribed</c>,
/// <c>error</c> or <c>pong</c>. Updates travel as <c>{"type":"update","data":{…WorkflowUpdate…}}</c>
/// (see <see cref="UpdateEnvelope"/>).
/// </summary>
public sealed record ServerFrame
{
    /// <summary>The frame type.</summary>
    [JsonPropertyName("type"), JsonPropertyOrder(0)]
    public required string Type { get; init; }

    /// <summary>The workflow the frame is about, when there is one.</summary>
    [JsonPropertyName("workflow_id"), JsonPropertyOrder(1), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? WorkflowId { get; init; }

    /// <summary>For errors: a stable machine-readable code (see <see cref="ErrorCodes"/>).</summary>
    [JsonPropertyName("code"), JsonPropertyOrder(2), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Code { get; init; }

    /// <summary>For errors: a human-readable explanation.</summary>
    [JsonPropertyName("message"), JsonPropertyOrder(3), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Message { get; init; }

    /// <summary>Frame type names.</summary>
    public static class Types
    {
        /// <summary>An update; its <c>data</c> is a <see cref="WorkflowUpdate"/> (or the state, first).</summary>
        public const string Update = "update";
        /// <summary>A subscription is registered; catch-up and live updates follow.</summary>
        public const string Subscribed = "subscribed";
        /// <summary>A subscription was removed.</summary>
        public const string Unsubscribed = "unsubscribed";
        /// <summary>A request failed; the socket stays open.</summary>
        public const string Error = "error";
        /// <summary>Answer to ping.</summary>
        public const string Pong = "pong";
    }

    /// <summary>Error codes carried by error frames.</summary>
    public static class ErrorCodes
    {
        /// <summary>The frame is not valid JSON or not a known command.</summary>
        public const string BadFrame = "bad_frame";
        /// <summary>The workflow does not exist.</summary>
        public const string NotFound = "not_found";
        /// <summary>The token does not allow this workflow.</summary>
        public const string Forbidden = "forbidden";
        /// <summary>The connection has reached its subscription limit.</summary>
        public const string TooManySubscriptions = "too_many_subscriptions";
        /// <summary>The gateway cannot serve the subscription right now; retry.</summary>
        public const string Unavailable = "unavailable";
    }
}
