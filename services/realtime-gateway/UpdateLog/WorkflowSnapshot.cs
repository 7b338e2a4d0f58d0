using Vapora.RealtimeGateway.Frames;

namespace Vapora.RealtimeGateway.UpdateLog;

/// <summary>A workflow's state as read from the API: the encoded state frame and the fields fixed at creation.</summary>
internal sealed record WorkflowSnapshot(UpdateFrame StateFrame, string Name, DateTimeOffset CreatedAt)
{
    public long Version => StateFrame.Version;
}
