using Vapora.RealtimeGateway.Internal;

namespace Vapora.RealtimeGateway.Transport;

/// <summary>
/// Which page origins may open sockets and event streams: the configured list, or (when it is empty) the gateway's own
/// origin. A page of another origin must not ride on its user's credentials (cross-site WebSocket hijacking; the same
/// for an <c>EventSource</c> carrying a token).
/// </summary>
internal static class OriginPolicy
{
    public static bool IsAllowed(HttpRequest request, IReadOnlyCollection<string> allowedOrigins)
    {
        var origin = request.Headers.Origin.ToString();
        if (string.IsNullOrEmpty(origin))
        {
            // Not a browser page (browsers always send Origin on a WebSocket upgrade and a cross-origin EventSource).
            return true;
        }

        if (allowedOrigins.Count > 0)
        {
            return allowedOrigins.Contains("*") || allowedOrigins.Any(o => string.Equals(o.TrimEnd('/'), origin, StringComparison.OrdinalIgnoreCase));
        }

        return Uri.TryCreate(origin, UriKind.Absolute, out var uri)
            && string.Equals(uri.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Answers 403 (counted and logged) when the request's origin may not connect; true when it did.</summary>
    public static async Task<bool> RefusedAsync(HttpContext http, GatewayOptions options, GatewayMetrics metrics, ILogger logger)
    {
        if (IsAllowed(http.Request, options.AllowedOrigins))
        {
            return false;
        }

        metrics.InboundRejected("origin");
        GatewayLog.OriginRejected(logger, http.Request.Headers.Origin.ToString());
        await TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Origin not allowed",
            detail: "This origin may not open sockets or event streams on this gateway (Gateway:AllowedOrigins).").ExecuteAsync(http);
        return true;
    }
}
