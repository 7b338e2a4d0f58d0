using Vapora.Contracts;
using Vapora.Contracts.Protocol;

namespace Vapora.RealtimeGateway.Frames;

/// <summary>
/// One encoded update (or state) shared by every connection it goes to. The bytes are forwarded as
/// received; the <c>/ws</c> envelope is built at most once per frame, on first use.
/// </summary>
internal sealed class UpdateFrame(WorkflowUpdateHeader header, ReadOnlyMemory<byte> json, long receivedAtTimestamp)
{
    private byte[]? _envelope;

    public WorkflowUpdateHeader Header { get; } = header;

    public long Version => Header.Version;

    /// <summary>The update's JSON, as published (single-workflow streams send exactly this).</summary>
    public ReadOnlyMemory<byte> Json { get; } = json;

    /// <summary>When the gateway got it (<see cref="TimeProvider.GetTimestamp"/>), for the fan-out duration metric.</summary>
    public long ReceivedAtTimestamp { get; } = receivedAtTimestamp;

    /// <summary>
    /// True when this version changed the status (set by the topic before fan-out); such frames are never conflated.
    /// </summary>
    public bool StatusChanged { get; set; } = true;

    /// <summary>
    /// The state marked <c>"reset":true</c>: the watcher starts over from its version, which may be below the one it
    /// has (the store was rewound), so it is delivered even then.
    /// </summary>
    public bool IsReset { get; set; }

    /// <summary><c>{"type":"update","data":…}</c> for multiplexed sockets; a benign race may build it twice, never per client.</summary>
    public ReadOnlyMemory<byte> Envelope => _envelope ??= UpdateEnvelope.Wrap(Json.Span);
}
