namespace Vapora.RealtimeGateway.Transport;

/// <summary>Which page origins may open sockets: the configured list, or (when it is empty) the gateway's own origin.</summary>
internal static class OriginPolicy
{
    public static bool IsAllowed(HttpRequest request, IReadOnlyCollection<string> allowedOrigins)
    {
        var origin = request.Headers.Origin.ToString();
        if (string.IsNullOrEmpty(origin))
        {
            // Not a browser page (browsers always send Origin on a WebSocket upgrade).
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
