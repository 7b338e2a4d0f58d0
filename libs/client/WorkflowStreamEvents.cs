namespace Vapora.Client;

/// <summary>Where a stream is.</summary>
public enum StreamStatus
{
    /// <summary>Opening the first connection.</summary>
    Connecting,

    /// <summary>Connected and receiving.</summary>
    Live,

    /// <summary>Lost the connection; waiting to reconnect and resume.</summary>
    Reconnecting,

    /// <summary>Ended: closed normally, gave up, or cancelled.</summary>
    Stopped,
}

/// <summary>Raised before each reconnect.</summary>
public sealed class ReconnectingEventArgs(int attempt, TimeSpan delay, long lastVersion, int? closeCode, string? reason, Exception? error,
    StreamTransport transport = StreamTransport.WebSocket) : EventArgs
{
    /// <summary>1 for the first attempt after a loss.</summary>
    public int Attempt { get; } = attempt;

    /// <summary>How long the client waits before trying.</summary>
    public TimeSpan Delay { get; } = delay;

    /// <summary>The stream resumes after this version.</summary>
    public long LastVersion { get; } = lastVersion;

    /// <summary>The server's close code, when it closed the socket.</summary>
    public int? CloseCode { get; } = closeCode;

    /// <summary>The server's close reason, when it gave one.</summary>
    public string? Reason { get; } = reason;

    /// <summary>The network error, when the connection failed or broke.</summary>
    public Exception? Error { get; } = error;

    /// <summary>The transport the next connection uses (it changes when one does not get through).</summary>
    public StreamTransport Transport { get; } = transport;
}

/// <summary>
/// The server ended the stream with a close code that says retrying cannot help (4400–4499 and others), as a WebSocket
/// close, a <c>close</c> event, or an HTTP refusal of an event stream (its ProblemDetails' <c>close_code</c>).
/// </summary>
public sealed class WorkflowStreamClosedException(string workflowId, int closeCode, string? reason)
    : Exception($"The gateway closed the stream of {workflowId} with {closeCode}: {reason}")
{
    /// <summary>The workflow.</summary>
    public string WorkflowId { get; } = workflowId;

    /// <summary>The close code (see <c>CloseReason</c>).</summary>
    public int CloseCode { get; } = closeCode;

    /// <summary>The reason the server gave.</summary>
    public string? Reason { get; } = reason;
}

/// <summary>The stream could not be resumed within the configured number of attempts.</summary>
public sealed class ReconnectLimitExceededException(string workflowId, int attempts, Exception? last)
    : Exception($"Gave up on the stream of {workflowId} after {attempts} reconnect attempts.", last)
{
    /// <summary>The workflow.</summary>
    public string WorkflowId { get; } = workflowId;

    /// <summary>Attempts made.</summary>
    public int Attempts { get; } = attempts;
}
