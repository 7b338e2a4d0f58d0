using Microsoft.AspNetCore.Http.Extensions;

namespace Vapora.RealtimeGateway.Transport.WebSockets;

/// <summary>
/// The gateway's WebSocket routes, served by a middleware placed ahead of the rest of the pipeline: a socket lives for
/// hours, and every middleware it passes through (exception handler, status pages, authentication, authorization,
/// routing) would stay suspended under it for all that time, holding its state per connection. Here a socket request
/// reaches its endpoint through one non-async routing step; the upgrade is authenticated by the endpoint itself
/// (<see cref="Connections.ConnectionHost.RefusalAsync"/>).
/// </summary>
public static class SocketEndpoints
{
    /// <summary>The single-workflow stream route (the URL of the original design).</summary>
    public const string WorkflowStreamRoute = "/api/workflows/{id}/updates";

    /// <summary>The multiplexed socket route.</summary>
    public const string MultiplexRoute = "/ws";

    private const string StreamPrefix = "/api/workflows/";
    private const string StreamSuffix = "/updates";

    /// <summary>Serves both socket routes; every other request goes on down the pipeline. Call right after <c>UseWebSockets</c>.</summary>
    public static IApplicationBuilder UseSocketEndpoints(this IApplicationBuilder app)
    {
        var acceptor = app.ApplicationServices.GetRequiredService<SocketAcceptor>();
        return app.Use(next => http => Route(http, acceptor, next));
    }

    internal static Task UpgradeRequiredAsync(HttpContext http)
    {
        http.Response.Headers.Upgrade = "websocket";
        return Results.Problem(
            statusCode: StatusCodes.Status426UpgradeRequired,
            title: "WebSocket upgrade required",
            detail: "Connect with a WebSocket client (GET with Upgrade: websocket).").ExecuteAsync(http);
    }

    /// <summary>The workflow id of <c>/api/workflows/{id}/updates</c> (one non-empty path segment), as the route template matched it.</summary>
    internal static bool TryMatchStream(string? path, out string? workflowId)
    {
        workflowId = null;
        if (path is null || path.Length <= StreamPrefix.Length + StreamSuffix.Length
            || !path.StartsWith(StreamPrefix, StringComparison.OrdinalIgnoreCase) || !path.EndsWith(StreamSuffix, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var segment = path.AsSpan(StreamPrefix.Length, path.Length - StreamPrefix.Length - StreamSuffix.Length);
        if (segment.Contains('/'))
        {
            return false;
        }

        workflowId = segment.ToString();
        return true;
    }

    private static Task Route(HttpContext http, SocketAcceptor acceptor, RequestDelegate next)
    {
        var path = http.Request.Path.Value;
        string? workflowId = null;
        var multiplex = string.Equals(path, MultiplexRoute, StringComparison.OrdinalIgnoreCase);
        if (!multiplex && !TryMatchStream(path, out workflowId))
        {
            return next(http);
        }

        if (!HttpMethods.IsGet(http.Request.Method))
        {
            http.Response.Headers.Allow = HttpMethods.Get;
            return Results.Problem(statusCode: StatusCodes.Status405MethodNotAllowed, title: "Method not allowed",
                detail: $"{http.Request.GetEncodedPathAndQuery()} accepts only GET with a WebSocket upgrade.").ExecuteAsync(http);
        }

        return multiplex ? MultiplexEndpoint.HandleAsync(http, acceptor) : WorkflowStreamEndpoint.HandleAsync(workflowId!, http, acceptor);
    }
}
