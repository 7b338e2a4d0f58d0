using System.Text.Json;
using Vapora.Contracts;
using Vapora.RealtimeGateway.Frames;
using Vapora.RealtimeGateway.UpdateLog;

namespace Vapora.RealtimeGateway.Hub;

/// <summary>
/// A topic's view of its workflow's state at the head: the head's status (which tells a status change from progress),
/// and the state frame, built once per version from the head update and the fields fixed at creation (and, when a
/// resume must be reset, once more marked <c>"reset":true</c>). The head update's bytes are the recent window's newest
/// (<see cref="RecentFrames.NewestJson"/>): the head frame itself is not held, so it dies young. Not thread-safe: the
/// topic locks.
/// </summary>
internal sealed class TopicState
{
    private WorkflowStatus? _status;
    private UpdateFrame? _stateFrame;
    private UpdateFrame? _resetFrame;
    private string _name = string.Empty;
    private DateTimeOffset _createdAt;

    /// <summary>Starts from a state read from the API.</summary>
    public void Reset(WorkflowSnapshot snapshot)
    {
        _status = snapshot.StateFrame.Header.Status;
        _stateFrame = snapshot.StateFrame;
        _resetFrame = null;
        _name = snapshot.Name;
        _createdAt = snapshot.CreatedAt;
    }

    /// <summary>Moves to the next version (its bytes go to the recent window); marks whether it changed the status (only progress may be conflated).</summary>
    public void Advance(UpdateFrame frame)
    {
        frame.StatusChanged = _status is not { } previous || previous != frame.Header.Status;
        _status = frame.Header.Status;
    }

    /// <summary>The state at <paramref name="head"/>: the one read from the API, or built from the head update in <paramref name="recent"/>.</summary>
    public UpdateFrame Frame(long head, RecentFrames recent)
    {
        if (_stateFrame is { } cached && cached.Version == head)
        {
            return cached;
        }

        var json = recent.NewestJson(head);
        var update = JsonSerializer.Deserialize(json, VaporaJsonContext.Default.WorkflowUpdate)!;
        if (!WorkflowUpdateHeader.TryRead(json, out var header))
        {
            throw new InvalidOperationException($"The head update of version {head} has no valid header.");
        }

        _stateFrame = Encode(WorkflowState.From(update, _name, _createdAt), header);
        return _stateFrame;
    }

    /// <summary>The state at <paramref name="head"/> marked as a reset: what a watcher gets whose versions cannot be continued gap-free.</summary>
    public UpdateFrame ResetFrame(long head, RecentFrames recent)
    {
        if (_resetFrame is { } cached && cached.Version == head)
        {
            return cached;
        }

        var state = Frame(head, recent);
        var decoded = JsonSerializer.Deserialize(state.Json.Span, VaporaJsonContext.Default.WorkflowState)!;
        _resetFrame = Encode(decoded with { Reset = true }, state.Header);
        _resetFrame.IsReset = true;
        return _resetFrame;
    }

    // A state frame is handed over, never forwarded live: no received-at time for the fan-out metric.
    private static UpdateFrame Encode(WorkflowState state, WorkflowUpdateHeader header) =>
        new(header, JsonSerializer.SerializeToUtf8Bytes(state, VaporaJsonContext.Default.WorkflowState), receivedAtTimestamp: 0);
}
