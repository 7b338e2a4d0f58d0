using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using MongoDB.Driver;
using Vapora.WorkflowApi.Internal;
using Vapora.WorkflowApi.Persistence.Memory;
using Vapora.WorkflowApi.Persistence.Mongo;
using Vapora.WorkflowApi.Persistence.Sqlite;

namespace Vapora.WorkflowApi.Persistence;

/// <summary>Registers the configured <see cref="IWorkflowStorage"/>, wrapped in <see cref="BoundedStorage"/>.</summary>
public static class PersistenceExtensions
{
    /// <summary>Name of the MongoDB connection string (<c>ConnectionStrings__mongodb</c>).</summary>
    public const string MongoConnectionStringName = "mongodb";

    /// <summary>Name of the SQLite connection string (<c>ConnectionStrings__sqlite</c>).</summary>
    public const string SqliteConnectionStringName = "sqlite";

    /// <summary>Adds the store named by <c>Storage:Provider</c>.</summary>
    public static IHostApplicationBuilder AddWorkflowStorage(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<StorageOptions>()
            .BindConfiguration(StorageOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.TryAddSingleton<ApiMetrics>();
        builder.Services.AddSingleton<IWorkflowStorage>(sp => ActivatorUtilities.CreateInstance<BoundedStorage>(sp, sp.GetRequiredKeyedService<IWorkflowStorage>(BackendKey)));

        // The provider decides which services exist, so it is read here, with the same binder and rules as the options.
        switch (ReadProvider(builder.Configuration))
        {
            case StorageProvider.Memory:
                builder.Services.AddKeyedSingleton<IWorkflowStorage, InMemoryStorage>(BackendKey);
                break;
            case StorageProvider.Sqlite:
                builder.AddSqliteStorage();
                break;
            default:
                builder.AddMongoStorage();
                break;
        }

        return builder;
    }

    private const string BackendKey = "backend";

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

    private static void AddSqliteStorage(this IHostApplicationBuilder builder)
    {
        var connectionString = builder.Configuration.GetConnectionString(SqliteConnectionStringName);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new OptionsValidationException(SqliteConnectionStringName, typeof(StorageOptions),
                ["ConnectionStrings:sqlite is not set. Set ConnectionStrings__sqlite, for example to \"Data Source=/var/lib/vapora/vapora.db\"."]);
        }

        builder.Services.AddKeyedSingleton<IWorkflowStorage>(BackendKey, (sp, _) => new SqliteStorage(
            connectionString, sp.GetRequiredService<IOptions<StorageOptions>>().Value.OperationTimeout, sp.GetRequiredService<TimeProvider>()));
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration("sqlite", _ => new SqliteHealthCheck(connectionString), null, null));
    }

    private static void AddMongoStorage(this IHostApplicationBuilder builder)
    {
        var connectionString = builder.Configuration.GetConnectionString(MongoConnectionStringName);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new OptionsValidationException(MongoConnectionStringName, typeof(StorageOptions),
                ["ConnectionStrings:mongodb is not set. Set ConnectionStrings__mongodb (for example mongodb://127.0.0.1:27017/vapora?replicaSet=rs0), "
                + "or choose another store with Storage__Provider=sqlite or memory."]);
        }

        try
        {
            MongoUrl.Create(connectionString);
        }
        catch (MongoConfigurationException ex)
        {
            throw new OptionsValidationException(MongoConnectionStringName, typeof(StorageOptions),
                ["ConnectionStrings:mongodb is not a valid MongoDB connection string: " + ex.Message]);
        }

        builder.Services.AddOptions<MongoStoreOptions>()
            .BindConfiguration(MongoStoreOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<IMongoClient>(sp => new MongoClient(
            MongoClientFactory.CreateSettings(connectionString, sp.GetRequiredService<IOptions<MongoStoreOptions>>().Value)));
        builder.Services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<MongoStoreOptions>>().Value;
            var client = sp.GetRequiredService<IMongoClient>();
            var database = MongoClientFactory.DatabaseName(connectionString, options);
            ApiLog.MongoSettings(sp.GetRequiredService<ILogger<MongoIndexes>>(), database,
                client.Settings.ServerSelectionTimeout, client.Settings.ConnectTimeout);
            return client.GetDatabase(database);
        });
        builder.Services.AddSingleton<MongoIndexes>();
        builder.Services.AddHostedService<MongoIndexInitializer>();
        builder.Services.AddKeyedSingleton<IWorkflowStorage, MongoStorage>(BackendKey);
        builder.Services.AddHealthChecks().AddCheck<MongoHealthCheck>("mongodb");
    }
}
