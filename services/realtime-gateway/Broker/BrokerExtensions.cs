namespace Vapora.RealtimeGateway.Broker;

/// <summary>Registers the backplane as the gateway sees it: Redis pub/sub, its round-trip probe and the readiness check on it.</summary>
internal static class BrokerExtensions
{
    public static IHostApplicationBuilder AddBroker(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<IWorkflowBroker, RedisWorkflowBroker>();
        builder.Services.AddSingleton<BackplaneProbe>();
        builder.Services.AddHealthChecks().AddCheck<BackplaneHealthCheck>("redis-pubsub");
        return builder;
    }
}
