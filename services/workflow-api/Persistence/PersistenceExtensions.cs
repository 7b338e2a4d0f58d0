using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using MongoDB.Driver;
using Vapora.WorkflowApi.Internal;
using Vapora.WorkflowApi.Persistence.Mongo;

namespace Vapora.WorkflowApi.Persistence;

/// <summary>Registers the configured <see cref="IWorkflowStore"/>.</summary>
public static class PersistenceExtensions
{
    /// <summary>Name of the MongoDB connection string (<c>ConnectionStrings__mongodb</c>).</summary>
    public const string MongoConnectionStringName = "mongodb";

    /// <summary>Adds the store named by <c>Storage:Provider</c>.</summary>
    public static IHostApplicationBuilder AddWorkflowStore(this IHostApplicationBuilder builder)
    {
        var provider = builder.Configuration.GetSection(StorageOptions.SectionName).Get<StorageOptions>()?.Provider
            ?? StorageOptions.Providers.MongoDb;
        switch (provider.ToLowerInvariant())
        {
            case StorageOptions.Providers.Memory:
                builder.Services.AddSingleton<IWorkflowStore, InMemoryWorkflowStore>();
                builder.Services.AddHostedService<InMemoryStoreWarning>();
                break;
            case StorageOptions.Providers.MongoDb:
                builder.AddMongoStore();
                break;
            case StorageOptions.Providers.Sqlite:
                builder.AddSqliteStore();
                break;
            default:
                throw new InvalidOperationException(
                    $"Storage:Provider '{provider}' is not known. Use '{StorageOptions.Providers.MongoDb}', '{StorageOptions.Providers.Sqlite}' or '{StorageOptions.Providers.Memory}'.");
        }

        return builder;
    }

    /// <summary>Name of the SQLite connection string (<c>ConnectionStrings__sqlite</c>).</summary>
    public const string SqliteConnectionStringName = "sqlite";

    private static void AddSqliteStore(this IHostApplicationBuilder builder)
    {
        var connectionString = builder.Configuration.GetConnectionString(SqliteConnectionStringName);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new InvalidOperationException(
                "ConnectionStrings:sqlite is not set. Set ConnectionStrings__sqlite, for example to \"Data Source=/var/lib/vapora/vapora.db\".");
        }

        builder.Services.AddSingleton<IWorkflowStore>(sp => new Sqlite.SqliteWorkflowStore(connectionString, sp.GetRequiredService<TimeProvider>()));
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration("sqlite", _ => new Sqlite.SqliteHealthCheck(connectionString), null, null));
    }

    private static void AddMongoStore(this IHostApplicationBuilder builder)
    {
        var connectionString = builder.Configuration.GetConnectionString(MongoConnectionStringName);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new InvalidOperationException(
                "ConnectionStrings:mongodb is not set. Set ConnectionStrings__mongodb (for example mongodb://127.0.0.1:27017/vapora), "
                + "or choose the non-durable embedded store with Storage__Provider=memory.");
        }

        builder.Services.AddOptions<MongoStoreOptions>()
            .BindConfiguration(MongoStoreOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<IMongoClient>(_ => new MongoClient(connectionString));
        builder.Services.AddSingleton(sp =>
        {
            var name = MongoUrl.Create(connectionString).DatabaseName
                ?? sp.GetRequiredService<IOptions<MongoStoreOptions>>().Value.Database;
            return sp.GetRequiredService<IMongoClient>().GetDatabase(name);
        });
        builder.Services.AddSingleton<MongoIndexes>();
        builder.Services.AddHostedService<MongoIndexInitializer>();
        builder.Services.AddSingleton<IWorkflowStore, MongoWorkflowStore>();
        builder.Services.AddHealthChecks().AddCheck<MongoHealthCheck>("mongodb");
    }

    /// <summary>Says loudly, at start-up, that nothing stored survives this process.</summary>
    private sealed class InMemoryStoreWarning(ILogger<InMemoryStoreWarning> logger) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            ApiLog.InMemoryStore(logger);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
