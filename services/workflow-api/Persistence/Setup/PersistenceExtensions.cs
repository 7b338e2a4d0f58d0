using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Vapora.WorkflowApi.Internal;
using Vapora.WorkflowApi.Persistence.Memory;
using Vapora.WorkflowApi.Persistence.Mongo;
using Vapora.WorkflowApi.Persistence.Sqlite;

namespace Vapora.WorkflowApi.Persistence.Setup;

/// <summary>
/// Registers the configured <see cref="IStoragePrimitives"/>, wrapped in <see cref="BoundedStorage"/>. The one place that knows
/// every store, apart from the stores themselves, so that the storage abstraction does not depend on its implementations.
/// </summary>
public static class PersistenceExtensions
{
    /// <summary>Adds the store named by <c>Storage:Provider</c>.</summary>
    public static IHostApplicationBuilder AddWorkflowStorage(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<StorageOptions>()
            .BindConfiguration(StorageOptions.SectionName)
            .ValidateDataAnnotations()
            .Validate(o => o.RequestTimeout >= o.OperationTimeout,
                "Storage:RequestTimeout must not be below Storage:OperationTimeout: a request makes at least one store call.")
            .ValidateOnStart();
        builder.Services.TryAddSingleton<ApiMetrics>();
        builder.Services.AddSingleton<IStoragePrimitives>(sp => ActivatorUtilities.CreateInstance<BoundedStorage>(sp, sp.GetRequiredKeyedService<IStoragePrimitives>(BoundedStorage.BackendKey)));

        // The provider decides which services exist, so it is read here, with the same binder and rules as the options.
        switch (ReadProvider(builder.Configuration))
        {
            case StorageProvider.Memory:
                builder.Services.AddKeyedSingleton<IStoragePrimitives, InMemoryStorage>(BoundedStorage.BackendKey);
                break;
            case StorageProvider.Sqlite:
                builder.AddSqliteStorage(BoundedStorage.BackendKey);
                break;
            default:
                builder.AddMongoStorage(BoundedStorage.BackendKey);
                break;
        }

        return builder;
    }

    // The configuration binder's own conversion (case-insensitive names), with the valid names in the error.
    private static StorageProvider ReadProvider(IConfiguration configuration)
    {
        var key = StorageOptions.SectionName + ":" + nameof(StorageOptions.Provider);
        StorageProvider provider;
        try
        {
            provider = configuration.GetValue(key, new StorageOptions().Provider);
        }
        catch (InvalidOperationException)
        {
            provider = (StorageProvider)(-1);
        }

        return Enum.IsDefined(provider)
            ? provider
            : throw new OptionsValidationException(key, typeof(StorageOptions),
                [$"Storage:Provider '{configuration[key]}' is not known. Use one of: {string.Join(", ", Enum.GetNames<StorageProvider>()).ToLowerInvariant()}."]);
    }
}
