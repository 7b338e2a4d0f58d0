using Vapora.Contracts;
using Vapora.Contracts.Protocol;

namespace Vapora.RealtimeGateway.Hub;

/// <summary>
/// One encoded update (or state) shared by every connection it goes to. The bytes are forwarded as
/// received; the <c>/ws</c> envelope is built at most once per frame, on first use.
/// </summary>
internal sealed class UpdateFrame
{
    private byte[]? _envelope;

    public UpdateFrame(WorkflowUpdateHeader header, ReadOnlyMemory<byte> json, long receivedAtTimestamp)
    {
        Header = header;
        Json = json;
        ReceivedAtTimestamp = receivedAtTimestamp;
    }

    public WorkflowUpdateHeader Header { get; }

    public string WorkflowId => Header.WorkflowId;

    public long Version => Header.Version;

    /// <summary>The update's JSON, as published (single-workflow sockets send exactly this).</summary>
    public ReadOnlyMemory<byte> Json { get; }

    /// <summary>When the gateway got it (<see cref="TimeProvider.GetTimestamp"/>), for the publish-to-send lag metric.</summary>
    public long ReceivedAtTimestamp { get; }

    /// <summary>
    /// True when this version changed the status (set by the topic before fan-out); such frames are never conflated.
    /// </summary>
    public bool StatusChanged { get; set; } = true;

    /// <summary><c>{"type":"update","data":…}</c> for multiplexed sockets; a benign race may build it twice, never per client.</summary>
    public ReadOnlyMemory<byte> Envelope => _envelope ??= UpdateEnvelope.Wrap(Json.Span);
}
