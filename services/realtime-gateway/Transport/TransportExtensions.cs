using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Options;
using Vapora.RealtimeGateway.Connections;
using Vapora.RealtimeGateway.Transport.EventStreams;
using Vapora.RealtimeGateway.Transport.WebSockets;

namespace Vapora.RealtimeGateway.Transport;

/// <summary>
/// The transports, each registered here once: what it is (<see cref="TransportInfo"/>, which the per-transport gauge
/// lists), its settings and its acceptor, and where its routes go in the pipeline. A new transport is one more
/// registration here, beside its transport class and its endpoint (docs/architecture.md, "Adding a transport").
/// </summary>
public static class TransportExtensions
{
    /// <summary>Registers every transport.</summary>
    public static IHostApplicationBuilder AddTransports(this IHostApplicationBuilder builder)
    {
        // WebSockets: /api/workflows/{id}/updates and /ws.
        builder.AddTransport(WebSocketTransport.Info);
        builder.Services.AddOptions<WebSocketTransportOptions>().BindConfiguration(WebSocketTransportOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<SocketTransportOptions>().Configure<IOptions<WebSocketTransportOptions>>((sockets, webSockets) =>
            sockets.UnsafePreferInlineScheduling = webSockets.Value.InlineSocketScheduling);
        builder.Services.AddSingleton<SocketAcceptor>();

        // Server-Sent Events: /api/workflows/{id}/events and /events.
        builder.AddTransport(EventStreamTransport.Info);
        builder.Services.AddOptions<EventStreamOptions>().BindConfiguration(EventStreamOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<EventStreamAcceptor>();
        builder.Services.AddCors();
        builder.Services.AddOptions<CorsOptions>().Configure<IOptions<ConnectionOptions>>((cors, connections) =>
            cors.AddPolicy(EventStreamEndpoints.CorsPolicy, policy => EventStreamEndpoints.ConfigureCors(policy, connections.Value.AllowedOrigins)));
        return builder;
    }

    /// <summary>
    /// The transports that answer ahead of the rest of the pipeline (sockets: nothing after this stays suspended under a
    /// socket for its lifetime, see <see cref="SocketEndpoints"/>). Call first.
    /// </summary>
    public static IApplicationBuilder UseTransports(this IApplicationBuilder app) =>
        WriteBatchingUpgrade.Use(app).UseWebSockets().UseSocketEndpoints();

    /// <summary>The transports served as routes (event streams: after CORS and authentication).</summary>
    public static IEndpointRouteBuilder MapTransports(this IEndpointRouteBuilder app) => app.MapEventStreamEndpoints();

    private static void AddTransport(this IHostApplicationBuilder builder, TransportInfo transport) => builder.Services.AddSingleton(transport);
}
