using Microsoft.Extensions.DependencyInjection.Extensions;
using StackExchange.Redis;
using Vapora.ServiceDefaults.Redis;
using Vapora.WorkflowApi.Internal;

namespace Vapora.WorkflowApi.Messaging;

/// <summary>Registers publishing: Redis publisher, request-path dispatcher, batched marks, the outbox relay and the heartbeat to the gateways.</summary>
public static class MessagingExtensions
{
    /// <summary>Adds the publishing pipeline.</summary>
    public static IHostApplicationBuilder AddUpdatePublishing(this IHostApplicationBuilder builder)
    {
        // Fail fast while Redis is down: the update is already durable and the relay republishes it,
        // so a hidden in-client backlog would only delay the request.
        builder.AddRedisConnection("workflow-api", options => options.BacklogPolicy = BacklogPolicy.FailFast);
        builder.Services.AddOptions<PublishingOptions>()
            .BindConfiguration(PublishingOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.TryAddSingleton<ApiMetrics>();
        builder.Services.AddSingleton<IUpdatePublisher, RedisUpdatePublisher>();
        builder.Services.AddSingleton<UpdateDispatcher>();
        builder.Services.AddSingleton<PublishedMarks>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<PublishedMarks>());
        builder.Services.AddSingleton<OutboxRelay>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<OutboxRelay>());
        builder.Services.AddHostedService<HeartbeatSender>();
        return builder;
    }
}
