using System.Reflection;
using System.Runtime.Loader;
using Vapora.ServiceDefaults.Configuration;
using Vapora.Testing;

namespace Vapora.Deployment.Tests.Configuration;

/// <summary>
/// The configuration keys each built service reads, as its own start-up check sees them: its assembly and
/// Vapora.ServiceDefaults, each service read in a load context of its own (with its own dependencies).
/// </summary>
public static class ServiceSchemas
{
    private static readonly Lazy<ConfigurationSchema> Api = new(() => Load("workflow-api", "Vapora.WorkflowApi"));
    private static readonly Lazy<ConfigurationSchema> Gateway = new(() => Load("realtime-gateway", "Vapora.RealtimeGateway"));

    /// <summary>The schema of a service by its Deployment (and compose service) name.</summary>
    public static ConfigurationSchema Of(string service) => service switch
    {
        "workflow-api" or "api" => Api.Value,
        "realtime-gateway" or "gateway" => Gateway.Value,
        _ => throw new ArgumentException($"{service} is not a Vapora service.", nameof(service)),
    };

    /// <summary>Both services: what a setting shared by both (one ConfigMap) may be.</summary>
    public static ConfigurationSchema Both => Api.Value.With(Gateway.Value);

    private static ConfigurationSchema Load(string folder, string assembly)
    {
        var path = RepositoryPaths.ServiceDll(folder, assembly);
        var context = new ServiceLoadContext(path);
        var service = context.LoadFromAssemblyPath(path);
        return ConfigurationSchema.Of([service, context.LoadFromAssemblyName(new AssemblyName("Vapora.ServiceDefaults"))]);
    }

    private sealed class ServiceLoadContext(string path) : AssemblyLoadContext($"schema of {Path.GetFileName(path)}")
    {
        private readonly AssemblyDependencyResolver _resolver = new(path);

        // The service's own assemblies from its folder; the shared framework from the test's.
        protected override Assembly? Load(AssemblyName name) =>
            _resolver.ResolveAssemblyToPath(name) is { } file ? LoadFromAssemblyPath(file) : null;
    }
}
