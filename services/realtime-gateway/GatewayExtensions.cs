using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Vapora.RealtimeGateway.Broker;
using Vapora.RealtimeGateway.CatchUp;
using Vapora.RealtimeGateway.Connections;
using Vapora.RealtimeGateway.Hub;
using Vapora.RealtimeGateway.Internal;
using Vapora.RealtimeGateway.Transport;
using Vapora.ServiceDefaults.Redis;
using Vapora.ServiceDefaults.Security;

namespace Vapora.RealtimeGateway;

/// <summary>Registers the gateway: broker, hub, catch-up client and connections.</summary>
public static class GatewayExtensions
{
    /// <summary>Adds everything the socket and event-stream endpoints need.</summary>
    public static IHostApplicationBuilder AddRealtimeGateway(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<GatewayOptions>()
            .BindConfiguration(GatewayOptions.SectionName)
            .ValidateDataAnnotations()
            .Validate(o => o.WorkflowApiUrl is { IsAbsoluteUri: true }, "Gateway:WorkflowApiUrl must be an absolute URL of workflow-api, such as http://127.0.0.1:5080.")
            .ValidateOnStart();

        builder.Services.AddOptions<PageOptions>().BindConfiguration(PageOptions.SectionName);
        builder.Services.AddOptions<SocketTransportOptions>().Configure<IOptions<GatewayOptions>>((sockets, gateway) =>
            sockets.UnsafePreferInlineScheduling = gateway.Value.InlineSocketScheduling);
        builder.AddRedisConnection("realtime-gateway");
        builder.AddVaporaAuthentication();
        builder.Services.AddSingleton<GatewayMetrics>();
        builder.Services.AddSingleton<IWorkflowBroker, RedisWorkflowBroker>();
        builder.Services.AddSingleton<BackplaneProbe>();
        builder.Services.AddSingleton<TopicRegistry>();
        builder.Services.AddSingleton<WorkflowHub>();
        builder.Services.AddSingleton<ConnectionRegistry>();
        builder.Services.AddSingleton<ConnectionDrainer>();
        builder.Services.AddSingleton<ConnectionHost>();
        builder.Services.AddSingleton<SocketAcceptor>();
        builder.Services.AddSingleton<EventStreamAcceptor>();
        builder.Services.AddCors();
        builder.Services.AddOptions<Microsoft.AspNetCore.Cors.Infrastructure.CorsOptions>().Configure<IOptions<GatewayOptions>>((cors, gateway) =>
            cors.AddPolicy(EventStreamEndpoints.CorsPolicy, policy => EventStreamEndpoints.ConfigureCors(policy, gateway.Value.AllowedOrigins)));
        // Registered first, so the wiring is done before any other hosted service or the server starts.
        builder.Services.Insert(0, ServiceDescriptor.Singleton<IHostedService, GatewayStartup>());
        builder.Services.AddHostedService<HubMaintenance>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ConnectionDrainer>());
        // Shutdown waits for the drain: the window, plus time for the last close handshakes.
        builder.Services.AddOptions<HostOptions>().Configure<IOptions<GatewayOptions>>((host, gateway) =>
            host.ShutdownTimeout = gateway.Value.DrainWindow + gateway.Value.CloseTimeout + TimeSpan.FromSeconds(5));
        builder.Services.AddHealthChecks()
            .AddCheck<BackplaneHealthCheck>("redis-pubsub")
            .AddCheck<ConnectionDrainer>("draining");

        builder.Services.AddHttpClient<IUpdateLog, WorkflowApiClient>((sp, http) =>
            {
                var gateway = sp.GetRequiredService<IOptions<GatewayOptions>>().Value;
                http.BaseAddress = gateway.WorkflowApiUrl;
                if (!string.IsNullOrWhiteSpace(gateway.ApiAccessToken))
                {
                    http.DefaultRequestHeaders.Authorization = new("Bearer", gateway.ApiAccessToken);
                }
            })
            .AddStandardResilienceHandler(o =>
            {
                o.AttemptTimeout.Timeout = TimeSpan.FromSeconds(3);
                o.TotalRequestTimeout.Timeout = TimeSpan.FromSeconds(10);
                o.CircuitBreaker.SamplingDuration = TimeSpan.FromSeconds(10);
                o.Retry.MaxRetryAttempts = 3;
                o.Retry.UseJitter = true;
            });
        return builder;
    }
}
