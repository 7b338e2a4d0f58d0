namespace Vapora.Client.Transports;

/// <summary>
/// The outcome of opening a connection: open, refused by the server with a close code (an HTTP refusal before an event
/// stream began is mapped to one), or failed on the network (with a delay the server asked for, if any).
/// </summary>
internal readonly record struct Opened(IStreamConnection? Connection, int? CloseCode, string? Reason, Exception? Error, TimeSpan? RetryAfter)
{
    /// <summary>The bearer token the connection was opened with (an in-band refresh starts from it).</summary>
    public string? Token { get; init; }

    public static Opened Open(IStreamConnection connection) => new(connection, null, null, null, null);

    public static Opened Refused(int code, string? reason, TimeSpan? retryAfter = null) => new(null, code, reason, null, retryAfter);

    public static Opened Failed(Exception error, TimeSpan? retryAfter = null) => new(null, null, null, error, retryAfter);
}
