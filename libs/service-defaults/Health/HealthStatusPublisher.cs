using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Vapora.ServiceDefaults.Health;

/// <summary>
/// Readiness as a metric: the latest result of every health check, one series per check. Prometheus cannot
/// scrape <c>/health/ready</c>, and an alert on "not ready" needs to say which dependency failed.
/// </summary>
internal sealed class HealthStatusPublisher : IHealthCheckPublisher
{
    /// <summary>Meter of the health instruments.</summary>
    public const string MeterName = "Vapora.Health";

    private readonly ConcurrentDictionary<string, double> _status = new(StringComparer.Ordinal);

    public HealthStatusPublisher(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        meter.CreateObservableGauge("vapora.health.check.status", Observe, unit: null,
            description: "Latest result of each health check (tag check): 1 healthy, 0.5 degraded, 0 unhealthy. "
                + "/health/ready answers 503 while any check is 0.");
    }

    public Task PublishAsync(HealthReport report, CancellationToken cancellationToken)
    {
        foreach (var (name, entry) in report.Entries)
        {
            _status[name] = ValueOf(entry.Status);
        }

        return Task.CompletedTask;
    }

    private static double ValueOf(HealthStatus status) => status switch
    {
        HealthStatus.Healthy => 1,
        HealthStatus.Degraded => 0.5,
        _ => 0,
    };

    private IEnumerable<Measurement<double>> Observe()
    {
        foreach (var (name, value) in _status)
        {
            yield return new Measurement<double>(value, new KeyValuePair<string, object?>("check", name));
        }
    }
}
