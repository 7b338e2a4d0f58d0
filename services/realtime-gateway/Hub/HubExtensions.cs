namespace Vapora.RealtimeGateway.Hub;

/// <summary>Registers the watched workflows: topics, their registry, gap repair, the backplane's handler, their upkeep and the degraded mode.</summary>
internal static class HubExtensions
{
    public static IHostApplicationBuilder AddHub(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<HubOptions>().BindConfiguration(HubOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<TopicRepair>();
        builder.Services.AddSingleton<TopicContext>();
        builder.Services.AddSingleton<TopicRegistry>();
        builder.Services.AddSingleton<WorkflowHub>();
        builder.Services.AddHostedService<HubMaintenance>();
        builder.Services.AddSingleton<ApiHeartbeatListener>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ApiHeartbeatListener>());
        builder.Services.AddSingleton<DegradedDelivery>();
        builder.Services.AddSingleton<Broker.IBackplaneFallback>(sp => sp.GetRequiredService<DegradedDelivery>());
        builder.Services.AddHostedService(sp => sp.GetRequiredService<DegradedDelivery>());
        return builder;
    }
}
