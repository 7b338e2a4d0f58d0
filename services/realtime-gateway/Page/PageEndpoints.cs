using Microsoft.Extensions.Options;

namespace Vapora.RealtimeGateway.Page;

/// <summary>The live progress page: static files from wwwroot and its <c>/config.json</c>.</summary>
public static class PageEndpoints
{
    /// <summary>Registers the page's settings.</summary>
    public static IHostApplicationBuilder AddProgressPage(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<PageOptions>().BindConfiguration(PageOptions.SectionName);
        return builder;
    }

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
