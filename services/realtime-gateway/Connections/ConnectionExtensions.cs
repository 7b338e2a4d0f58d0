using Microsoft.Extensions.Options;
using Vapora.ServiceDefaults.Security;

namespace Vapora.RealtimeGateway.Connections;

/// <summary>Registers what every transport's connections share: admission, the registry and its limit, the drain.</summary>
internal static class ConnectionExtensions
{
    public static IHostApplicationBuilder AddConnections(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<ConnectionOptions>().BindConfiguration(ConnectionOptions.SectionName).ValidateDataAnnotations()
            .Validate(o => o.AllowedOrigins.All(OriginPolicy.IsValidSetting),
                "Gateway:AllowedOrigins holds '*' or origins as browsers send them: scheme://host[:port], no path, user info or query.")
            .ValidateOnStart();
        builder.Services.AddSingleton<ConnectionRegistry>();
        builder.Services.AddSingleton<ConnectionDrainer>();
        builder.Services.AddSingleton<ConnectionAdmission>();
        builder.Services.AddSingleton<AdmissionPacer>();
        builder.Services.AddSingleton<BearerTokenValidator>();
        builder.Services.AddSingleton<TokenRefresh>();
        builder.Services.AddSingleton<ConnectionServices>();
        builder.Services.AddSingleton<NotFoundCache>();
        builder.Services.AddHostedService<IdleConnectionSweeper>();
        builder.Services.AddSingleton<ConnectionHost>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ConnectionDrainer>());
        builder.Services.AddHealthChecks().AddCheck<ConnectionDrainer>("draining");
        // Shutdown waits for the drain: the window, plus time for the last close handshakes.
        builder.Services.AddOptions<HostOptions>().Configure<IOptions<ConnectionOptions>>((host, connections) =>
            host.ShutdownTimeout = connections.Value.DrainWindow + connections.Value.CloseTimeout + TimeSpan.FromSeconds(5));
        return builder;
    }
}
