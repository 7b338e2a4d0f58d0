using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Vapora.ServiceDefaults.Health;

/// <summary>Runs the health checks in the background and exports their results as <c>vapora_health_check_status</c>.</summary>
internal static class HealthMetricsExtensions
{
    public static IHostApplicationBuilder AddHealthMetrics(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<HealthMetricsOptions>()
            .BindConfiguration(HealthMetricsOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        // AddHealthChecks registers the hosted service that runs every IHealthCheckPublisher on this schedule.
        builder.Services.AddOptions<HealthCheckPublisherOptions>().Configure<IOptions<HealthMetricsOptions>>((publisher, health) =>
        {
            publisher.Delay = TimeSpan.FromSeconds(1);
            publisher.Period = health.Value.PublishInterval;
        });
        builder.Services.AddSingleton<IHealthCheckPublisher, HealthStatusPublisher>();
        return builder;
    }
}
