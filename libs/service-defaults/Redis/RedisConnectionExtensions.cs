using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Vapora.ServiceDefaults.Redis;

/// <summary>Registers the one <see cref="IConnectionMultiplexer"/> a process shares.</summary>
public static class RedisConnectionExtensions
{
    /// <summary>Name of the connection string (<c>ConnectionStrings__redis</c>).</summary>
    public const string ConnectionStringName = "redis";

    /// <summary>
    /// Adds the shared Redis connection from <c>ConnectionStrings:redis</c>: one Redis, a Redis Cluster, or the primary
    /// that Sentinel names (<c>sentinel1:26379,sentinel2:26379,serviceName=vapora</c>), as the ACL user of
    /// <see cref="RedisCredentialOptions"/> and over TLS per <see cref="RedisTlsOptions"/>. The process starts even
    /// when Redis (or every Sentinel) is down: the multiplexer keeps reconnecting, and readiness reports it.
    /// </summary>
    public static IHostApplicationBuilder AddRedisConnection(
        this IHostApplicationBuilder builder, string clientName, Action<ConfigurationOptions>? configure = null)
    {
        var connectionString = builder.Configuration.GetConnectionString(ConnectionStringName);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new InvalidOperationException(
                "ConnectionStrings:redis is not set. Set ConnectionStrings__redis, for example to 127.0.0.1:6379.");
        }

        builder.Services.AddOptions<RedisCredentialOptions>().BindConfiguration(RedisCredentialOptions.SectionName);
        builder.Services.AddOptions<RedisTlsOptions>().BindConfiguration(RedisTlsOptions.SectionName).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<RedisTlsOptions>, RedisTlsOptionsValidator>();
        builder.Services.AddSingleton<IConnectionMultiplexer>(sp =>
        {
            var logger = sp.GetRequiredService<ILoggerFactory>().CreateLogger("Vapora.Redis");
            var time = sp.GetRequiredService<TimeProvider>();
            var tls = sp.GetRequiredService<IOptions<RedisTlsOptions>>().Value;
            var options = RedisConfigurationFactory.Create(connectionString, clientName,
                sp.GetRequiredService<IOptions<RedisCredentialOptions>>().Value, tls, logger, time);
            configure?.Invoke(options);
            return Connect(options, tls, logger, time);
        });
        builder.Services.AddOptions<RedisPubSubOptions>()
            .BindConfiguration(RedisPubSubOptions.SectionName)
            .Validate(o => Enum.IsDefined(o.PubSub), "Redis:PubSub must be 'classic' or 'sharded'.")
            .ValidateOnStart();
        builder.Services.AddSingleton<RedisWorkflowChannels>();
        builder.Services.AddHostedService<RedisConnectionStarter>();
        // Degraded, not unhealthy, when Redis does not answer: the API keeps storing (its outbox publishes later) and a
        // gateway serves from the API, so a Redis outage must not take every pod out of its Service (issue 26).
        builder.Services.AddHealthChecks().AddCheck<RedisPingHealthCheck>("redis", failureStatus: HealthStatus.Degraded);
        return builder;
    }

    private static ConnectionMultiplexer Connect(ConfigurationOptions options, RedisTlsOptions tls, ILogger logger, TimeProvider time)
    {
        // Never the password: ToString(includePassword: false) masks password= and sentinelPassword=.
        var redacted = options.ToString(includePassword: false);
        var user = string.IsNullOrWhiteSpace(options.User) ? "default" : options.User;
        RedisLog.Connecting(logger, redacted, user,
            !options.Ssl ? "off" : string.IsNullOrWhiteSpace(tls.CaFile) ? "on (machine trust store)" : $"on (CA {tls.CaFile})");

        // The library reports a failure of the first connection only to this log (its ConnectionFailed event fires
        // before a handler can be attached), so a wrong password at start is read from here.
        using var connectLog = new StringWriter();
        var multiplexer = ConnectionMultiplexer.Connect(options, connectLog);

        var authenticationFailures = new LogBurst(time);
        var denials = new LogBurst(time);
        var reconnects = new RedisReconnectDetector(multiplexer);
        multiplexer.ConnectionFailed += (_, e) =>
        {
            reconnects.Failed(e);
            if (e.FailureType == ConnectionFailureType.AuthenticationFailure)
            {
                if (authenticationFailures.ShouldLog(out var skipped))
                {
                    RedisLog.AuthenticationFailed(logger, e.EndPoint?.ToString(), user, skipped);
                }

                return;
            }

            RedisLog.ConnectionFailed(logger, e.EndPoint?.ToString(), e.ConnectionType, e.FailureType, e.Exception);
        };
        multiplexer.ConnectionRestored += (_, e) =>
        {
            if (reconnects.Restored(e))
            {
                RedisLog.ConnectionRestored(logger, e.EndPoint?.ToString(), e.ConnectionType);
            }
            else
            {
                RedisLog.Connected(logger, e.EndPoint?.ToString(), e.ConnectionType);
            }
        };
        multiplexer.ErrorMessage += (_, e) =>
        {
            // An ACL that lacks a right the process needs shows up here (and in the server's ACL LOG).
            if (e.Message.StartsWith("NOPERM", StringComparison.Ordinal) && denials.ShouldLog(out var skipped))
            {
                RedisLog.PermissionDenied(logger, e.EndPoint?.ToString(), user, e.Message, skipped);
            }
        };
        if (!multiplexer.IsConnected)
        {
            if (connectLog.ToString().Contains(nameof(ConnectionFailureType.AuthenticationFailure), StringComparison.Ordinal)
                && authenticationFailures.ShouldLog(out var skipped))
            {
                RedisLog.AuthenticationFailed(logger, string.Join(',', options.EndPoints.Select(e => e.ToString())), user, skipped);
            }

            RedisLog.StartedDisconnected(logger, redacted);
        }

        return multiplexer;
    }
}
