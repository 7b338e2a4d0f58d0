using System.Text.Json.Serialization;

namespace Vapora.Contracts.EventStreams;

/// <summary>
/// The <c>data</c> of the <c>close</c> event that ends a gateway's Server-Sent Events stream: the code, reason and
/// meaning of the <c>CloseReason</c> a WebSocket would be closed with, so every client decides "resume or give up" with
/// one table. <c>{"code":4000,"reason":"slow consumer: resume from your last version","resume":true}</c>.
/// </summary>
public sealed record EventStreamClose
{
    /// <summary>The close code (see <c>CloseReason</c>; the README's "Close codes").</summary>
    [JsonPropertyName("code"), JsonPropertyOrder(0)]
    public required int Code { get; init; }

    /// <summary>Why the stream ended, for people.</summary>
    [JsonPropertyName("reason"), JsonPropertyOrder(1)]
    public required string Reason { get; init; }

    /// <summary>True when the client should reconnect (to any replica) and resume after the last event id it got.</summary>
    [JsonPropertyName("resume"), JsonPropertyOrder(2)]
    public required bool Resume { get; init; }
}
