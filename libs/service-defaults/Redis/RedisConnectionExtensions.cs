using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Vapora.ServiceDefaults.Redis;

/// <summary>Registers the one <see cref="IConnectionMultiplexer"/> a process shares.</summary>
public static class RedisConnectionExtensions
{
    /// <summary>Name of the connection string (<c>ConnectionStrings__redis</c>).</summary>
    public const string ConnectionStringName = "redis";

    /// <summary>
    /// Adds the shared Redis connection from <c>ConnectionStrings:redis</c>. The process starts even when
    /// Redis is down (the multiplexer keeps reconnecting); readiness reports it.
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

        var options = ConfigurationOptions.Parse(connectionString);
        options.AbortOnConnectFail = false;
        // Come back quickly after a Redis restart (the default first retry waits seconds).
        options.ReconnectRetryPolicy ??= new ExponentialRetry(deltaBackOffMilliseconds: 250, maxDeltaBackOffMilliseconds: 5000);
        options.ClientName ??= $"{clientName}-{Environment.MachineName}-{Environment.ProcessId}";
        configure?.Invoke(options);

        builder.Services.AddSingleton<IConnectionMultiplexer>(sp =>
        {
            var logger = sp.GetRequiredService<ILoggerFactory>().CreateLogger("Vapora.Redis");
            var multiplexer = ConnectionMultiplexer.Connect(options);
            multiplexer.ConnectionFailed += (_, e) => RedisLog.ConnectionFailed(logger, e.EndPoint?.ToString(), e.ConnectionType, e.FailureType, e.Exception);
            multiplexer.ConnectionRestored += (_, e) => RedisLog.ConnectionRestored(logger, e.EndPoint?.ToString(), e.ConnectionType);
            if (!multiplexer.IsConnected)
            {
                RedisLog.StartedDisconnected(logger, options.ToString(includePassword: false));
            }

            return multiplexer;
        });
        builder.Services.AddOptions<RedisPubSubOptions>()
            .BindConfiguration(RedisPubSubOptions.SectionName)
            .Validate(o => Enum.IsDefined(o.PubSub), "Redis:PubSub must be 'classic' or 'sharded'.")
            .ValidateOnStart();
        builder.Services.AddSingleton<RedisWorkflowChannels>();
        builder.Services.AddHostedService<RedisConnectionStarter>();
        builder.Services.AddHealthChecks().AddCheck<RedisPingHealthCheck>("redis");
        return builder;
    }

    /// <summary>Connects at start-up rather than on the first request.</summary>
    private sealed class RedisConnectionStarter(IServiceProvider services) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            _ = services.GetRequiredService<IConnectionMultiplexer>();
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
