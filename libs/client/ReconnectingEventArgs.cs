namespace Vapora.Client;

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
