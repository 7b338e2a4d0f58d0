using System.Buffers;
using System.Globalization;
using System.IO.Pipelines;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Vapora.Contracts;
using Vapora.Contracts.EventStreams;
using Vapora.Contracts.WebSockets;
using Vapora.RealtimeGateway.Connections;

namespace Vapora.RealtimeGateway.Transport.EventStreams;

/// <summary>
/// A <see cref="Connection"/> over a Server-Sent Events response. An update frame (the JSON the WebSocket would carry,
/// as received) becomes one event: <c>id:</c> its version (or, on a multiplexed stream, the <see cref="EventStreamCursor"/>)
/// and <c>data:</c> the bytes as they are. Other frames are SSE text queued by the endpoint (<c>retry:</c>, heartbeat
/// comments, named events) and written as they are.
/// </summary>
/// <remarks>
/// Nothing is sent until the first frame that is not a comment, so a stream that cannot be served (unknown workflow,
/// forbidden, at the connection limit) is still an HTTP error with a ProblemDetails body; once the stream has begun,
/// its end is a <c>close</c> event carrying the <see cref="CloseReason"/>. Written only by the connection's writer loop.
/// </remarks>
internal sealed class EventStreamTransport(HttpContext http, EventStreamCursor? cursor, TimeProvider time, TimeSpan heartbeatInterval)
    : IConnectionTransport
{
    private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly PipeWriter _body = http.Response.BodyWriter;
    private bool _started;
    private volatile bool _detached;
    private long _framesWritten;
    private long _writtenAtLastBeat = -1;

    /// <summary>Most bytes of a batch written before a flush all the same.</summary>
    internal const int MaxUnflushedBytes = 32 * 1024;

    /// <summary>Server-Sent Events: the server only writes; the client's only signal is leaving.</summary>
    public static TransportInfo Info { get; } = new("sse", IsBidirectional: false);

    TransportInfo IConnectionTransport.Info => Info;

    /// <summary>
    /// An update becomes an event with an id; any other frame is SSE text the endpoint encoded, written as it is.
    /// Events go into the response's pipe; it is flushed (one socket write) at a batch's last frame, or sooner once
    /// <see cref="MaxUnflushedBytes"/> wait.
    /// </summary>
    public ValueTask SendAsync(OutboundFrame frame, bool flush, CancellationToken cancellationToken)
    {
        var bytes = frame.Bytes.Span;
        if (bytes.IsEmpty || (frame.Kind == FrameKind.KeepAlive && !_started))
        {
            // A heartbeat before the stream has begun: there is nothing to keep alive yet. Should it end a batch, the
            // batch still goes out.
            return flush && _started ? FlushAsync(cancellationToken) : ValueTask.CompletedTask;
        }

        Start();
        // Only the writer loop writes: a plain increment, published for the heartbeat tick's read.
        Volatile.Write(ref _framesWritten, _framesWritten + 1);
        if (frame.Kind == FrameKind.Update)
        {
            WriteUpdate(bytes);
        }
        else
        {
            _body.Write(bytes);
        }

        return flush || (_body.CanGetUnflushedBytes && _body.UnflushedBytes >= MaxUnflushedBytes)
            ? FlushAsync(cancellationToken)
            : ValueTask.CompletedTask;
    }

    public async Task CloseAsync(CloseReason reason, CancellationToken cancellationToken)
    {
        try
        {
            if (reason.Code == CloseReason.Normal.Code)
            {
                // The client went away or the stream simply ends: nothing to tell, but a batch the close cut short goes out.
                if (_started)
                {
                    await _body.FlushAsync(cancellationToken);
                }

                return;
            }

            if (!_started)
            {
                await EventStreamRefusal.WriteAsync(http, reason);
                return;
            }

            _body.Write("event: "u8);
            _body.Write("close"u8);
            _body.Write("\ndata: "u8);
            using (var json = new Utf8JsonWriter(_body))
            {
                var close = new EventStreamClose { Code = reason.Code, Reason = reason.Reason, Resume = reason.Resume };
                JsonSerializer.Serialize(json, close, VaporaJsonContext.Default.EventStreamClose);
            }

            _body.Write("\n\n"u8);
            await FlushAsync(cancellationToken);
        }
        finally
        {
            _finished.TrySetResult();
        }
    }

    public void Abort()
    {
        _finished.TrySetResult();
        if (_detached)
        {
            return;
        }

        try
        {
            http.Abort();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    /// <summary>
    /// The heartbeat tick. An idle stream (nothing queued) gets a comment, which keeps proxies and the browser from
    /// timing it out. A stream with frames waiting needs none; but if not one frame was written since the previous
    /// tick, its client has stopped reading and it is closed as a slow consumer (it resumes from its cursor). A
    /// catch-up that is merely slow keeps writing, so a full queue alone never closes it.
    /// </summary>
    public void Beat(Connection connection)
    {
        var written = Volatile.Read(ref _framesWritten);
        var previous = _writtenAtLastBeat;
        _writtenAtLastBeat = written;
        if (!connection.EnqueueKeepAlive(EventStreamFrames.Heartbeat) && written == previous)
        {
            connection.CloseAsSlowConsumer();
        }
    }

    /// <summary>
    /// The inbound side of an event stream: there is none, so it waits until the stream ended or the client left, and
    /// meanwhile ticks the heartbeat (<see cref="Beat"/>) through the send queue, so the writer loop stays the only writer.
    /// </summary>
    public async Task UntilFinishedAsync(Connection connection)
    {
        // A connection is not tied to its request's token (an idle socket would hold a registration for it), and an
        // event stream has no receive loop to see its client leave: the request's abort ends it, or else nothing
        // would until a heartbeat failed to write.
        using var gone = http.RequestAborted.UnsafeRegister(static state => ((Connection)state!).Abort(), connection);
        using var heartbeat = time.CreateTimer(static state =>
            {
                var (stream, beating) = ((EventStreamTransport, Connection))state!;
                stream.Beat(beating);
            }, (this, connection), heartbeatInterval, heartbeatInterval);
        try
        {
            await _finished.Task.WaitAsync(connection.Aborted);
        }
        catch (OperationCanceledException)
        {
            // The client went away.
        }
    }

    /// <summary>The request is over: an abort that comes late must not touch a context Kestrel may have reused.</summary>
    public void Detach() => _detached = true;

    private void Start()
    {
        if (_started)
        {
            return;
        }

        _started = true;
        var response = http.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache, no-store";
        // nginx (and ingress-nginx) pass each event on at once instead of buffering the response.
        response.Headers["X-Accel-Buffering"] = "no";
        http.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
    }

    private void WriteUpdate(ReadOnlySpan<byte> json)
    {
        if (cursor is not null)
        {
            cursor.Advance(json);
            _body.Write("id: "u8);
            cursor.WriteTo(_body);
            _body.Write("\n"u8);
        }
        else if (UpdateFrameReader.TryReadVersion(json, out var version))
        {
            _body.Write("id: "u8);
            var digits = _body.GetSpan(20);
            version.TryFormat(digits, out var written, default, CultureInfo.InvariantCulture);
            _body.Advance(written);
            _body.Write("\n"u8);
        }

        // Compact JSON has no line breaks; should a publisher's bytes have some between tokens, each line gets its own
        // data: field, which the client joins back with \n — the same JSON.
        while (json.IndexOfAny((byte)'\r', (byte)'\n') is var end and >= 0)
        {
            WriteDataLine(json[..end]);
            var separator = json[end];
            json = json[(end + 1)..];
            if (separator == (byte)'\r' && json is [(byte)'\n', ..])
            {
                json = json[1..];
            }
        }

        WriteDataLine(json);
        _body.Write("\n"u8);
    }

    private void WriteDataLine(ReadOnlySpan<byte> line)
    {
        _body.Write("data: "u8);
        _body.Write(line);
        _body.Write("\n"u8);
    }

    private async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        var result = await _body.FlushAsync(cancellationToken);
        if (result.IsCompleted || result.IsCanceled)
        {
            throw new IOException("The client is gone: the response can no longer be written.");
        }
    }
}
