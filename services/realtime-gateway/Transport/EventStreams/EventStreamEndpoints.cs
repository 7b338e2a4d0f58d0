using Microsoft.AspNetCore.Cors.Infrastructure;
using Vapora.ServiceDefaults.Security;

namespace Vapora.RealtimeGateway.Transport.EventStreams;

/// <summary>The gateway's Server-Sent Events routes.</summary>
public static class EventStreamEndpoints
{
    /// <summary>One workflow's events (beside the WebSocket route <c>/api/workflows/{id}/updates</c>).</summary>
    public const string WorkflowEventsRoute = "/api/workflows/{id}/events";

    /// <summary>
    /// Many workflows on one stream. Not under <c>/api/workflows/</c>, where <c>events</c> would be read as a workflow id
    /// (a valid one), nor elsewhere under <c>/api/</c>, which belongs to workflow-api: at the top level beside <c>/ws</c>,
    /// the other multiplexed transport, so a load balancer names both gateway-only paths the same way.
    /// </summary>
    public const string MultiplexRoute = "/events";

    /// <summary>The CORS policy of the event streams: <c>Gateway:AllowedOrigins</c>.</summary>
    public const string CorsPolicy = "event-streams";

    /// <summary>The header an <c>EventSource</c> sends with the last event id it saw when it reconnects.</summary>
    public const string LastEventIdHeader = "Last-Event-ID";

    /// <summary>Maps both event-stream endpoints (the token may come in <c>access_token</c>: <c>EventSource</c> cannot set headers).</summary>
    public static IEndpointRouteBuilder MapEventStreamEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet(WorkflowEventsRoute, EventStreamEndpoint.HandleAsync).WithName("WorkflowEvents").AllowAccessTokenInQuery().RequireCors(CorsPolicy);
        app.MapGet(MultiplexRoute, MultiplexEventStreamEndpoint.HandleAsync).WithName("MultiplexEvents").AllowAccessTokenInQuery().RequireCors(CorsPolicy);
        return app;
    }

    /// <summary>
    /// Pages of the allowed origins may read the streams (an <c>EventSource</c> of another origin needs CORS, a WebSocket
    /// does not); with no allowed origins only the gateway's own pages may, and they need no CORS.
    /// </summary>
    internal static void ConfigureCors(CorsPolicyBuilder policy, IReadOnlyCollection<string> allowedOrigins)
    {
        if (allowedOrigins.Contains("*"))
        {
            policy.AllowAnyOrigin();
        }
        else
        {
            policy.WithOrigins([.. allowedOrigins.Select(o => o.TrimEnd('/'))]);
        }

        policy.WithMethods(HttpMethods.Get).WithHeaders("Authorization", LastEventIdHeader, "Cache-Control").SetPreflightMaxAge(TimeSpan.FromHours(1));
    }
}
