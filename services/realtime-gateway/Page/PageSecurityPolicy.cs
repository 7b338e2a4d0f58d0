namespace Vapora.RealtimeGateway.Page;

/// <summary>
/// The page's Content-Security-Policy: its own scripts and styles only, connections only to its own origin and the
/// configured API and gateway bases, and no framing (<c>frame-ancestors 'none'</c>, clickjacking). The page has no
/// inline script or style, so nothing needs <c>'unsafe-inline'</c>.
/// </summary>
internal static class PageSecurityPolicy
{
    public static string For(PageOptions options)
    {
        // 'self' covers ws: and wss: of the page's own host (CSP 3); other bases are listed in both schemes they use.
        var connect = new List<string> { "'self'" };
        foreach (var baseUrl in new[] { options.ApiBaseUrl, options.SocketBaseUrl })
        {
            if (baseUrl is null)
            {
                continue;
            }

            var origin = baseUrl.GetLeftPart(UriPartial.Authority);
            connect.Add(origin);
            connect.Add(baseUrl.Scheme == Uri.UriSchemeHttps ? "wss" + origin[5..] : "ws" + origin[4..]);
        }

        return string.Join("; ",
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",
            $"connect-src {string.Join(' ', connect.Distinct(StringComparer.Ordinal))}",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'none'",
            "frame-ancestors 'none'");
    }
}
