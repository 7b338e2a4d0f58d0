using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Debug;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Vapora.ServiceDefaults.Configuration;
using Vapora.ServiceDefaults.Health;

namespace Vapora.ServiceDefaults;

/// <summary>
/// What every Vapora service has: OpenTelemetry metrics and traces, ProblemDetails, health endpoints mapped in
/// every environment (Kubernetes probes need them), and a start-up check that names unknown configuration keys.
/// </summary>
public static class ServiceDefaultsExtensions
{
    /// <summary>Health checks with this tag make up liveness; all checks make up readiness.</summary>
    public const string LiveTag = "live";

    /// <summary>Liveness: the process is up and its loops turn.</summary>
    public const string LivenessPath = "/health/live";

    /// <summary>Readiness: the service can do its job (its dependencies answer).</summary>
    public const string ReadinessPath = "/health/ready";

    /// <summary>Prometheus scrape endpoint.</summary>
    public const string MetricsPath = "/metrics";

    /// <summary>Adds telemetry, health checks and ProblemDetails.</summary>
    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder, string serviceName)
        where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddProblemDetails();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddHealthChecks()
            .AddCheck("self", () => HealthCheckResult.Healthy(), [LiveTag]);
        builder.AddHealthMetrics();
        builder.AddConfigurationCheck(serviceName);
        builder.ConfigureOpenTelemetry(serviceName);
        builder.RemoveDebuggerLogging();
        return builder;
    }

    /// <summary>Maps <c>/health/live</c>, <c>/health/ready</c> and <c>/metrics</c>.</summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        app.MapHealthChecks(LivenessPath, new HealthCheckOptions { Predicate = r => r.Tags.Contains(LiveTag) });
        app.MapHealthChecks(ReadinessPath, new HealthCheckOptions { ResponseWriter = HealthReportWriter.WriteAsync });
        app.MapPrometheusScrapingEndpoint(MetricsPath);
        return app;
    }

    private static void ConfigureOpenTelemetry(this IHostApplicationBuilder builder, string serviceName)
    {
        var otel = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(serviceName))
            .WithMetrics(metrics => metrics
                // ASP.NET Core's own meters, without the instrumentation package's AddAspNetCoreInstrumentation: on
                // .NET 10 that wraps the whole pipeline in a middleware (to tag 5xx responses' error.type), whose
                // frame would stay suspended under every WebSocket for its lifetime (docs/benchmarks.md, memory).
                .AddMeter(AspNetCoreMeters)
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter(VaporaTelemetry.MeterPrefix + "*")
                .AddPrometheusExporter())
            .WithTracing(tracing => tracing
                .AddSource(VaporaTelemetry.ActivitySourcePrefix + "*")
                // A WebSocket's request span would last as long as the socket (hours) and hold its tags all along;
                // the updates it carries are traced by the vapora.* spans instead.
                .AddAspNetCoreInstrumentation(o => o.Filter = context => !IsProbe(context.Request.Path) && !IsWebSocketUpgrade(context.Request))
                .AddHttpClientInstrumentation());

        // Export over OTLP only when an endpoint is configured (the standard OTEL_ variables).
        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            otel.UseOtlpExporter();
        }
    }

    /// <summary>
    /// Drops the debugger's log provider that the default host adds. It writes only to an attached debugger, and as a
    /// provider without shared scopes it made every logging scope a wrapper with an array of the providers' scopes:
    /// Kestrel opens a scope per connection and hosting one per request, and a socket holds both for its lifetime
    /// (129 bytes per idle socket, docs/benchmarks.md, memory). Console and EventSource (dotnet-trace, dotnet-monitor) stay.
    /// </summary>
    private static void RemoveDebuggerLogging(this IHostApplicationBuilder builder)
    {
        for (var i = builder.Services.Count - 1; i >= 0; i--)
        {
            if (builder.Services[i].ServiceType == typeof(ILoggerProvider) && builder.Services[i].ImplementationType == typeof(DebugLoggerProvider))
            {
                builder.Services.RemoveAt(i);
            }
        }
    }

    private static readonly string[] AspNetCoreMeters =
    [
        "Microsoft.AspNetCore.Hosting",
        "Microsoft.AspNetCore.Server.Kestrel",
        "Microsoft.AspNetCore.Http.Connections",
        "Microsoft.AspNetCore.Routing",
        "Microsoft.AspNetCore.Diagnostics",
        "Microsoft.AspNetCore.RateLimiting",
        "Microsoft.AspNetCore.Authorization",
        "Microsoft.AspNetCore.Authentication",
        "Microsoft.AspNetCore.MemoryPool",
    ];

    private static bool IsWebSocketUpgrade(Microsoft.AspNetCore.Http.HttpRequest request) =>
        string.Equals(request.Headers.Upgrade, "websocket", StringComparison.OrdinalIgnoreCase);

    private static bool IsProbe(Microsoft.AspNetCore.Http.PathString path) =>
        path.StartsWithSegments("/health") || path.StartsWithSegments(MetricsPath);
}
