using System.Reflection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Vapora.ServiceDefaults.Configuration;

/// <summary>Registers the start-up check of the service's own configuration keys.</summary>
internal static class ConfigurationCheckExtensions
{
    public static IHostApplicationBuilder AddConfigurationCheck(this IHostApplicationBuilder builder, string serviceName)
    {
        var schema = ConfigurationSchema.Of([typeof(ConfigurationSchema).Assembly, .. ApplicationAssembly(builder.Environment)]);
        builder.Services.AddOptions<ConfigurationCheckOptions>()
            .BindConfiguration(ConfigurationCheckOptions.SectionName)
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<ConfigurationCheckOptions>>(sp =>
            new UnknownKeyValidator(sp.GetRequiredService<IConfiguration>(), schema, serviceName, sp.GetRequiredService<ILoggerFactory>()));
        return builder;
    }

    // The service's own assembly (the host names it after it), where its options classes are.
    private static Assembly[] ApplicationAssembly(IHostEnvironment environment)
    {
        try
        {
            return [Assembly.Load(new AssemblyName(environment.ApplicationName))];
        }
        catch (FileNotFoundException)
        {
            return [];
        }
    }
}
