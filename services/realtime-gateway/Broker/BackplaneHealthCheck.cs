using System.Globalization;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Vapora.RealtimeGateway.Broker;

/// <summary>
/// Readiness of the backplane, by measured behaviour. Healthy: a message published to this gateway's probe channel
/// came back lately (a PING is not enough: a gateway whose subscription silently died still answers PING but would
/// forward nothing). Degraded, still ready: no round trip, but the degraded mode keeps watchers fresh from the API, so
/// taking this pod out would only move its clients to replicas in the same state (with Redis away, every one). Unhealthy:
/// neither Redis nor the API.
/// </summary>
internal sealed class BackplaneHealthCheck(BackplaneMonitor monitor, IBackplaneFallback fallback) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var since = monitor.SinceLastRoundTrip.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture);
        if (monitor.IsDelivering)
        {
            return Task.FromResult(HealthCheckResult.Healthy($"pub/sub round trip {since} s ago"));
        }

        return Task.FromResult(fallback.IsServing(out var detail)
            ? HealthCheckResult.Degraded($"No pub/sub round trip for {since} s; {detail}")
            : HealthCheckResult.Unhealthy($"No pub/sub round trip for {since} s, and {detail}"));
    }
}
