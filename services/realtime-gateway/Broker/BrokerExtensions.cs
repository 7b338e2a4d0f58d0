namespace Vapora.RealtimeGateway.Broker;

/// <summary>Registers the backplane as the gateway sees it: Redis pub/sub, its round-trip probe and monitor, and the readiness check on it.</summary>
internal static class BrokerExtensions
{
    public static IHostApplicationBuilder AddBroker(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<BackplaneOptions>().BindConfiguration(BackplaneOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<IWorkflowBroker, RedisWorkflowBroker>();
        builder.Services.AddSingleton<BackplaneProbe>();
        builder.Services.AddSingleton<BackplaneMonitor>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<BackplaneMonitor>());
        builder.Services.AddHealthChecks().AddCheck<BackplaneHealthCheck>("redis-pubsub");
        return builder;
    }
}
