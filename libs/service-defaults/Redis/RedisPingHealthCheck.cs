using Microsoft.Extensions.Diagnostics.HealthChecks;
using StackExchange.Redis;

namespace Vapora.ServiceDefaults.Redis;

/// <summary>
/// A Redis primary answers a PING on the shared connection. A replica answering is not enough: while Sentinel promotes
/// a new primary nothing can be published. A failure reports the registration's failure status (Degraded: the services
/// work on without Redis, slower to deliver; the alerts show the outage, readiness does not hide every pod).
/// </summary>
internal sealed class RedisPingHealthCheck(IConnectionMultiplexer redis) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!redis.IsConnected)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, "Redis is not connected.");
        }

        try
        {
            var latency = await redis.GetDatabase().PingAsync(CommandFlags.DemandMaster).WaitAsync(TimeSpan.FromSeconds(2), cancellationToken);
            return HealthCheckResult.Healthy($"PING {latency.TotalMilliseconds:0.0} ms");
        }
        catch (Exception ex) when (ex is RedisException or RedisCommandException or TimeoutException)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, "No Redis primary answered PING.", ex);
        }
    }
}
