using System.Text.Json;
using Vapora.Contracts;
using Vapora.RealtimeGateway.Frames;
using Vapora.RealtimeGateway.UpdateLog;

namespace Vapora.RealtimeGateway.Hub;

/// <summary>
/// A topic's view of its workflow's state at the head: the head's status (which tells a status change from progress),
/// and the state frame, built once per version from the head update and the fields fixed at creation (and, when a
/// resume must be reset, once more marked <c>"reset":true</c>). Not thread-safe: the topic locks.
/// </summary>
internal sealed class TopicState
{
    private WorkflowStatus? _status;
    private UpdateFrame? _head;
    private UpdateFrame? _stateFrame;
    private UpdateFrame? _resetFrame;
    private string _name = string.Empty;
    private DateTimeOffset _createdAt;

    /// <summary>Starts from a state read from the API.</summary>
    public void Reset(WorkflowSnapshot snapshot)
    {
        _status = snapshot.StateFrame.Header.Status;
        _head = null;
        _stateFrame = snapshot.StateFrame;
        _resetFrame = null;
        _name = snapshot.Name;
        _createdAt = snapshot.CreatedAt;
    }

    /// <summary>Moves to the next version; marks whether it changed the status (only progress may be conflated).</summary>
    public void Advance(UpdateFrame frame)
    {
        frame.StatusChanged = _status is not { } previous || previous != frame.Header.Status;
        _status = frame.Header.Status;
        _head = frame;
    }

    /// <summary>The state at <paramref name="head"/>.</summary>
    public UpdateFrame Frame(long head)
    {
        if (_stateFrame is { } cached && cached.Version == head)
        {
            return cached;
        }

        var update = JsonSerializer.Deserialize(_head!.Json.Span, VaporaJsonContext.Default.WorkflowUpdate)!;
        _stateFrame = Encode(WorkflowState.From(update, _name, _createdAt), _head);
        return _stateFrame;
    }

    /// <summary>The state at <paramref name="head"/> marked as a reset: what a watcher gets whose versions cannot be continued gap-free.</summary>
    public UpdateFrame ResetFrame(long head)
    {
        if (_resetFrame is { } cached && cached.Version == head)
        {
            return cached;
        }

        var state = Frame(head);
        var decoded = JsonSerializer.Deserialize(state.Json.Span, VaporaJsonContext.Default.WorkflowState)!;
        _resetFrame = Encode(decoded with { Reset = true }, state);
        _resetFrame.IsReset = true;
        return _resetFrame;
    }

    private static UpdateFrame Encode(WorkflowState state, UpdateFrame of) =>
        new(of.Header, JsonSerializer.SerializeToUtf8Bytes(state, VaporaJsonContext.Default.WorkflowState), of.ReceivedAtTimestamp);
}
