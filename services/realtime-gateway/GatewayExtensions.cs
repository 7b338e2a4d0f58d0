using Vapora.RealtimeGateway.Broker;
using Vapora.RealtimeGateway.Connections;
using Vapora.RealtimeGateway.Hub;
using Vapora.RealtimeGateway.Internal;
using Vapora.RealtimeGateway.Page;
using Vapora.RealtimeGateway.Resume;
using Vapora.RealtimeGateway.Transport;
using Vapora.RealtimeGateway.UpdateLog;
using Vapora.ServiceDefaults.Redis;
using Vapora.ServiceDefaults.Security;

namespace Vapora.RealtimeGateway;

/// <summary>
/// Registers the gateway, one feature folder at a time; each folder registers its own services and its own settings
/// (every key stays under the documented <c>Gateway</c> section). The root only wires.
/// </summary>
public static class GatewayExtensions
{
    /// <summary>Adds everything the socket and event-stream endpoints need.</summary>
    public static IHostApplicationBuilder AddRealtimeGateway(this IHostApplicationBuilder builder)
    {
        builder.AddRedisConnection("realtime-gateway");
        builder.AddVaporaAuthentication();
        builder.Services.AddSingleton<GatewayMetrics>();
        // Registered first, so the wiring is done before any other hosted service or the server starts.
        builder.Services.Insert(0, ServiceDescriptor.Singleton<IHostedService, GatewayStartup>());
        builder.AddUpdateLog();
        builder.AddBroker();
        builder.AddHub();
        builder.AddResume();
        builder.AddConnections();
        builder.AddTransports();
        builder.AddProgressPage();
        return builder;
    }
}
