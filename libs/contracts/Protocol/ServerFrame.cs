using System.Text.Json.Serialization;

namespace Vapora.Contracts.Protocol;

/// <summary>
/// A control frame the gateway sends on the multiplexed <c>/ws</c> socket: <c>subscribed</c>, <c>unsubscribed</c>,
/// <c>error</c> or <c>pong</c>. Updates travel as <c>{"type":"update","data":{…WorkflowUpdate…}}</c>
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
}
