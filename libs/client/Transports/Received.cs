namespace Vapora.Client.Transports;

/// <summary>A frame, or the end of a connection: the server's close code and reason, or the network error.</summary>
internal readonly record struct Received(ReadOnlyMemory<byte>? Frame, int? CloseCode, string? Reason, Exception? Error)
{
    public static Received Of(ReadOnlyMemory<byte> frame) => new(frame, null, null, null);

    public static Received Closed(int code, string? reason) => new(null, code, reason, null);

    public static Received Failed(Exception error) => new(null, null, null, error);
}
