namespace Vapora.RealtimeGateway.Connections;

/// <summary>
/// Which page origins may open sockets and event streams: the configured list, or (when it is empty) the gateway's own
/// origin. A page of another origin must not ride on its user's credentials (cross-site WebSocket hijacking; the same
/// for an <c>EventSource</c> carrying a token).
/// </summary>
/// <remarks>
/// An origin is its scheme, host and port, all three compared (RFC 6454): <c>http://</c> and <c>https://</c> pages of
/// one host are different origins, and so are two ports. The header must be a serialized origin as browsers send it:
/// <c>scheme://host[:port]</c> with no user info, path, query or trailing slash; anything else (also <c>null</c>, sent
/// by sandboxed frames and <c>file:</c> pages) is refused unless <c>*</c> is configured. The gateway's own scheme is
/// the load balancer's <c>X-Forwarded-Proto</c> when it sends one (TLS ends there), else the request's.
/// </remarks>
internal static class OriginPolicy
{
    public static bool IsAllowed(HttpRequest request, IReadOnlyCollection<string> allowedOrigins)
    {
        var origin = request.Headers.Origin;
        if (origin.Count == 0)
        {
            // Not a browser page (browsers always send Origin on a WebSocket upgrade and a cross-origin EventSource).
            return true;
        }

        if (allowedOrigins.Contains("*"))
        {
            return true;
        }

        if (origin.Count != 1 || !TryParse(origin[0], out var page))
        {
            return false;
        }

        if (allowedOrigins.Count > 0)
        {
            return allowedOrigins.Any(allowed => TryParse(allowed.TrimEnd('/'), out var listed) && listed == page);
        }

        return page == Own(request);
    }

    /// <summary>True when <paramref name="value"/> is <c>*</c> or a serialized http(s) origin (what <c>Gateway:AllowedOrigins</c> must hold).</summary>
    public static bool IsValidSetting(string value) => value == "*" || TryParse(value.TrimEnd('/'), out _);

    /// <summary>Scheme, host and port of a serialized origin; false for anything else (a path, user info, another scheme).</summary>
    private static bool TryParse(string? value, out (string Scheme, string Host, int Port) origin)
    {
        origin = default;
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
            || uri.UserInfo.Length > 0)
        {
            return false;
        }

        // The serialization without user info, path, query and fragment must be all there is.
        var serialized = uri.GetComponents(UriComponents.SchemeAndServer, UriFormat.UriEscaped);
        if (!string.Equals(serialized, value, StringComparison.OrdinalIgnoreCase)
            && !string.Equals(serialized, StripDefaultPort(value!, uri), StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        origin = (uri.Scheme, uri.IdnHost.ToLowerInvariant(), uri.Port);
        return true;
    }

    /// <summary><c>https://h:443</c> names the same origin as <c>https://h</c>.</summary>
    private static string StripDefaultPort(string value, Uri uri) =>
        uri.IsDefaultPort && value.EndsWith($":{uri.Port}", StringComparison.Ordinal) ? value[..^$":{uri.Port}".Length] : value;

    private static (string Scheme, string Host, int Port) Own(HttpRequest request)
    {
        var forwarded = request.Headers["X-Forwarded-Proto"].ToString().Split(',')[0].Trim().ToLowerInvariant();
        var scheme = forwarded is "http" or "https" ? forwarded : request.Scheme.ToLowerInvariant();
        var host = request.Host;
        return Uri.TryCreate($"{scheme}://{host.Value}", UriKind.Absolute, out var uri)
            ? (uri.Scheme, uri.IdnHost.ToLowerInvariant(), uri.Port)
            : default;
    }
}
