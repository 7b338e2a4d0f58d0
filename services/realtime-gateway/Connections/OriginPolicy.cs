namespace Vapora.RealtimeGateway.Connections;

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
}
