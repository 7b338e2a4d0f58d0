namespace Vapora.RealtimeGateway.Page;

/// <summary>
/// What the live progress page served by the gateway is told (section <c>Page</c>, served as <c>/config.json</c>).
/// Behind a load balancer that routes <c>/api/</c> to the API, leave both empty: the page uses its own origin.
/// </summary>
public sealed class PageOptions
{
    /// <summary>Configuration section.</summary>
    public const string SectionName = "Page";

    /// <summary>Where the page calls the REST API, when it is not the page's own origin (the API must allow it with CORS).</summary>
    public Uri? ApiBaseUrl { get; set; }

    /// <summary>
    /// Where the page opens its WebSocket or event stream (the gateways), when it is not the page's own origin (the
    /// gateways must then allow the page's origin: <c>Gateway:AllowedOrigins</c>).
    /// </summary>
    public Uri? SocketBaseUrl { get; set; }
}
