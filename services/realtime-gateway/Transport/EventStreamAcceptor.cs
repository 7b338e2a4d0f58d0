using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Microsoft.Extensions.Options;
using Vapora.Contracts;
using Vapora.RealtimeGateway.Connections;
using Vapora.RealtimeGateway.Internal;

namespace Vapora.RealtimeGateway.Transport;

/// <summary>
/// Admits an event stream the way <see cref="SocketAcceptor"/> admits a socket (origin, token, drain, connection limit),
/// answering refusals with an HTTP status, then runs it as a <see cref="Connection"/> over an
/// <see cref="EventStreamTransport"/> with a heartbeat timer. <paramref name="start"/> gets the stream's first bytes
/// (<c>retry:</c>) to queue once the stream may begin.
/// </summary>
internal sealed class EventStreamAcceptor(
    ConnectionHost host,
    IOptions<GatewayOptions> options,
    GatewayMetrics metrics,
    TimeProvider time,
    ILogger<EventStreamAcceptor> logger)
{
    private readonly GatewayOptions _options = options.Value;

    /// <param name="http">The request.</param>
    /// <param name="problem">What is wrong with the request (400), once it is known who asks; null when nothing is.</param>
    /// <param name="cursor">For a multiplexed stream, its cursor (the event ids); null: ids are versions.</param>
    /// <param name="start">Subscribes; gets the preamble to queue when the stream may begin.</param>
    public async Task RunAsync(HttpContext http, string? problem, EventStreamCursor? cursor, Func<Connection, ReadOnlyMemory<byte>, Task> start)
    {
        if (await OriginPolicy.RefusedAsync(http, _options, metrics, logger))
        {
            return;
        }

        if (await host.RefusalAsync(http) is { } refusal)
        {
            await EventStreamRefusal.WriteAsync(http, refusal);
            return;
        }

        if (problem is not null)
        {
            await EventStreamRefusal.WriteAsync(http, CloseReason.BadRequest(problem));
            return;
        }

        // A stream is long-lived and mostly idle, and a client that stops reading is the send queue's business
        // (conflation, then a slow-consumer close it can resume from), not Kestrel's minimum data rate.
        if (http.Features.Get<IHttpMinResponseDataRateFeature>() is { } rate)
        {
            rate.MinDataRate = null;
        }

        var transport = new EventStreamTransport(http, cursor);
        using var connection = host.Open(transport, http);
        var preamble = EventStreamFrames.Preamble(_options.EventStreamRetry, Random.Shared);
        // Heartbeats go through the send queue, so the writer loop stays the only writer; the transport drops them
        // until the stream has begun. The tick also finds a client that stopped reading (see Beat).
        using var heartbeat = time.CreateTimer(static state =>
            {
                var (stream, beating) = ((EventStreamTransport, Connection))state!;
                stream.Beat(beating);
            }, (transport, connection), _options.EventStreamHeartbeatInterval, _options.EventStreamHeartbeatInterval);
        try
        {
            await host.RunAsync(connection, transport.UntilFinishedAsync, c => start(c, preamble));
        }
        finally
        {
            transport.Detach();
        }
    }
}
