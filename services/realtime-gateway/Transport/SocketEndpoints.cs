namespace Vapora.RealtimeGateway.Transport;

/// <summary>The gateway's WebSocket routes.</summary>
public static class SocketEndpoints
{
    /// <summary>The single-workflow stream route (the URL of the original design).</summary>
    public const string WorkflowStreamRoute = "/api/workflows/{id}/updates";

    /// <summary>The multiplexed socket route.</summary>
    public const string MultiplexRoute = "/ws";

    /// <summary>Maps both socket endpoints.</summary>
    public static IEndpointRouteBuilder MapSocketEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet(WorkflowStreamRoute, WorkflowStreamEndpoint.HandleAsync).WithName("StreamWorkflow");
        app.MapGet(MultiplexRoute, MultiplexEndpoint.HandleAsync).WithName("Multiplex");
        return app;
    }

    internal static Task UpgradeRequiredAsync(HttpContext http)
    {
        http.Response.Headers.Upgrade = "websocket";
        return Results.Problem(
            statusCode: StatusCodes.Status426UpgradeRequired,
            title: "WebSocket upgrade required",
            detail: "Connect with a WebSocket client (GET with Upgrade: websocket).").ExecuteAsync(http);
    }
}
