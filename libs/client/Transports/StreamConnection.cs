namespace Vapora.Client.Transports;

/// <summary>One open connection of a stream, whatever its transport: frames in, until it ends.</summary>
internal interface IStreamConnection : IAsyncDisposable
{
    /// <summary>The next frame, or how the connection ended (never throws for network problems).</summary>
    ValueTask<Received> ReceiveAsync(CancellationToken cancellationToken);
}

/// <summary>A frame, or the end of a connection: the server's close code and reason, or the network error.</summary>
internal readonly record struct Received(ReadOnlyMemory<byte>? Frame, int? CloseCode, string? Reason, Exception? Error)
{
    public static Received Of(ReadOnlyMemory<byte> frame) => new(frame, null, null, null);

    public static Received Closed(int code, string? reason) => new(null, code, reason, null);

    public static Received Failed(Exception error) => new(null, null, null, error);
}

/// <summary>
/// The outcome of opening a connection: open, refused by the server with a close code (an HTTP refusal before an event
/// stream began is mapped to one), or failed on the network (with a delay the server asked for, if any).
/// </summary>
internal readonly record struct Opened(IStreamConnection? Connection, int? CloseCode, string? Reason, Exception? Error, TimeSpan? RetryAfter)
{
    public static Opened Open(IStreamConnection connection) => new(connection, null, null, null, null);

    public static Opened Refused(int code, string? reason, TimeSpan? retryAfter = null) => new(null, code, reason, null, retryAfter);

    public static Opened Failed(Exception error, TimeSpan? retryAfter = null) => new(null, null, null, error, retryAfter);
}
