using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Vapora.WorkflowApi.Messaging;
using Vapora.WorkflowApi.Persistence;

[assembly: HostingStartup(typeof(Vapora.Testing.FaultInjection.FaultInjectionStartup))]

namespace Vapora.Testing.FaultInjection;

/// <summary>Registers the faults in the API process (section <c>Faults</c>).</summary>
public sealed class FaultInjectionStartup : IHostingStartup
{
    /// <summary>Assembly name for <c>ASPNETCORE_HOSTINGSTARTUPASSEMBLIES</c>.</summary>
    public const string AssemblyName = "Vapora.Testing.FaultInjection";

    /// <inheritdoc />
    public void Configure(IWebHostBuilder builder) => builder.ConfigureServices(services =>
    {
        services.AddOptions<FaultOptions>().BindConfiguration(FaultOptions.SectionName);
        services.AddSingleton<CrashBeforePublish>();
        services.AddSingleton<IBeforePublishHook>(sp => sp.GetRequiredService<CrashBeforePublish>());
        services.AddHttpContextAccessor();
        services.AddSingleton<DelayStoreCalls>();
        services.AddSingleton<IStoreCallHook>(sp => sp.GetRequiredService<DelayStoreCalls>());
        // Resolved while the app starts, so the warning is in the log before any request.
        services.AddTransient<IStartupFilter, AnnounceFaults>();
    });
}
