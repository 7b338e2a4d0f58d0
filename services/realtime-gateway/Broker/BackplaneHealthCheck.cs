using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Vapora.RealtimeGateway.Broker;

/// <summary>
/// Readiness: a message published to this gateway's probe channel comes back. A PING is not enough: a gateway
/// whose subscription silently died still answers PING but would forward nothing.
/// </summary>
internal sealed class BackplaneHealthCheck(BackplaneProbe probe) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        await probe.RoundTripAsync(TimeSpan.FromSeconds(2), cancellationToken)
            ? HealthCheckResult.Healthy("pub/sub round trip")
            : HealthCheckResult.Unhealthy("A message published to this gateway's probe channel did not come back within 2 s.");
}
