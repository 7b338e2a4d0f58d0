using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Microsoft.Extensions.Options;
using Vapora.RealtimeGateway.Connections;

namespace Vapora.RealtimeGateway.Transport.EventStreams;

/// <summary>
/// Admits an event stream the way a socket is admitted (origin, token, drain, the request, the connection limit: see
/// <see cref="ConnectionHost"/>), refusals being HTTP statuses because nothing was sent yet, then runs it as a
/// <see cref="Connection"/> over an <see cref="EventStreamTransport"/>. <paramref name="start"/> gets the stream's first
/// bytes (<c>retry:</c>) to queue once the stream may begin.
/// </summary>
internal sealed class EventStreamAcceptor(ConnectionHost host, IOptions<EventStreamOptions> options, TimeProvider time)
{
    private readonly EventStreamOptions _options = options.Value;

    /// <param name="http">The request.</param>
    /// <param name="problem">What is wrong with the request (400), once it is known who asks; null when nothing is.</param>
    /// <param name="cursor">For a multiplexed stream, its cursor (the event ids); null: ids are versions.</param>
    /// <param name="start">Subscribes; gets the preamble to queue when the stream may begin.</param>
    public async Task RunAsync(HttpContext http, string? problem, EventStreamCursor? cursor, Func<Connection, ReadOnlyMemory<byte>, Task> start)
    {
        if (!await host.OriginAllowedAsync(http))
        {
            return;
        }

        if (await host.WaitTurnAsync(http) is not { } turn)
        {
            return;
        }

        EventStreamTransport? transport = null;
        Connection? connection = null;
        Task run;
        try
        {
            var refusal = await host.AdmitAsync(http, problem);
            // A stream is long-lived and mostly idle, and a client that stops reading is the send queue's business
            // (conflation, then a slow-consumer close it can resume from), not Kestrel's minimum data rate.
            if (refusal is null && http.Features.Get<IHttpMinResponseDataRateFeature>() is { } rate)
            {
                rate.MinDataRate = null;
            }

            transport = new EventStreamTransport(http, cursor, time, _options.EventStreamHeartbeatInterval);
            connection = host.Open(transport, http, refusal);
            var preamble = EventStreamFrames.Preamble(_options.EventStreamRetry, Random.Shared);
            run = host.RunAsync(connection, ConnectionHost.RemoteAddressOf(http), refusal, turn, transport.UntilFinishedAsync, c => start(c, preamble));
        }
        catch
        {
            // Its turn goes to the next connection whatever failed before the stream began.
            turn.Release();
            connection?.Dispose();
            transport?.Detach();
            throw;
        }

        // This frame lives as long as the stream: it keeps no ticket it has handed on.
        turn = null!;
        try
        {
            await run;
        }
        finally
        {
            connection.Dispose();
            transport.Detach();
        }
    }
}
