using System.Text.Json.Serialization;
using Vapora.Contracts.Serialization;

namespace Vapora.Contracts.Protocol;

/// <summary>
/// A control frame the gateway sends on the multiplexed <c>/ws</c> socket: <c>subscribed</c>, <c>unsubscribed</c>,
/// <c>error</c>, <c>token_accepted</c>, <c>token_expiring</c> or <c>pong</c> (the per-workflow socket sends the token frames and pong too). Updates travel as <c>{"type":"update","data":{…WorkflowUpdate…}}</c>
/// (see <see cref="UpdateEnvelope"/>).
/// </summary>
public sealed partial record ServerFrame
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

    /// <summary>For <c>token_accepted</c> and <c>token_expiring</c>: when the connection's token expires (ISO 8601 UTC).</summary>
    [JsonPropertyName("expires_at"), JsonPropertyOrder(4), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    [JsonConverter(typeof(UtcTimestampJsonConverter))]
    public DateTimeOffset? ExpiresAt { get; init; }
}
