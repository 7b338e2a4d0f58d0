using Microsoft.Extensions.Options;

namespace Vapora.RealtimeGateway.Transport;

/// <summary>The live progress page: static files from wwwroot and its <c>/config.json</c>.</summary>
public static class PageEndpoints
{
    /// <summary>Serves the page and its configuration.</summary>
    public static WebApplication MapProgressPage(this WebApplication app)
    {
        app.UseDefaultFiles();
        app.UseStaticFiles(new StaticFileOptions
        {
            OnPrepareResponse = context =>
            {
                var headers = context.Context.Response.Headers;
                headers.XContentTypeOptions = "nosniff";
                headers["Referrer-Policy"] = "no-referrer";
                headers.CacheControl = "no-cache";
            },
        });
        app.MapGet("/config.json", (IOptions<PageOptions> options) => TypedResults.Json(new PageConfiguration(
            options.Value.ApiBaseUrl?.ToString().TrimEnd('/'),
            options.Value.SocketBaseUrl?.ToString().TrimEnd('/')),
            PageJsonContext.Default.PageConfiguration));
        return app;
    }
}

/// <summary>The page's view of <see cref="PageOptions"/>.</summary>
internal sealed record PageConfiguration(
    [property: System.Text.Json.Serialization.JsonPropertyName("apiBaseUrl")] string? ApiBaseUrl,
    [property: System.Text.Json.Serialization.JsonPropertyName("socketBaseUrl")] string? SocketBaseUrl);

[System.Text.Json.Serialization.JsonSerializable(typeof(PageConfiguration))]
internal sealed partial class PageJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
