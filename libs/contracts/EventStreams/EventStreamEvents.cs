namespace Vapora.Contracts.EventStreams;

/// <summary>
/// Event names of the gateway's Server-Sent Events streams. Updates are unnamed (<c>message</c>) events whose
/// <c>data</c> is the update's JSON, exactly the bytes of a WebSocket frame; the others are named.
/// </summary>
public static class EventStreamEvents
{
    /// <summary>The stream ends; <c>data</c> is an <see cref="EventStreamClose"/>. The response ends right after it.</summary>
    public const string Close = "close";

    /// <summary>
    /// On the multiplexed stream, one workflow cannot be watched (not found, forbidden, bad <c>after</c>); <c>data</c> is
    /// the <c>/ws</c> error frame (<c>{"type":"error","workflow_id":…,"code":…,"message":…}</c>). The stream goes on.
    /// </summary>
    public const string WorkflowError = "workflow_error";
}
