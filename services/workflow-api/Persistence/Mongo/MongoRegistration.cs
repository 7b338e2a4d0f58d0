using Microsoft.Extensions.Options;
using MongoDB.Driver;
using Vapora.WorkflowApi.Internal;

namespace Vapora.WorkflowApi.Persistence.Mongo;

/// <summary>Registers the MongoDB store (<c>Storage:Provider=mongodb</c>).</summary>
internal static class MongoRegistration
{
    /// <summary>Name of the MongoDB connection string (<c>ConnectionStrings__mongodb</c>).</summary>
    public const string ConnectionStringName = "mongodb";

    public static void AddMongoStorage(this IHostApplicationBuilder builder, string backendKey)
    {
        var connectionString = builder.Configuration.GetConnectionString(ConnectionStringName);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new OptionsValidationException(ConnectionStringName, typeof(StorageOptions),
                ["ConnectionStrings:mongodb is not set. Set ConnectionStrings__mongodb (for example mongodb://127.0.0.1:27017/vapora?replicaSet=rs0), "
                + "or choose another store with Storage__Provider=sqlite or memory."]);
        }

        try
        {
            MongoUrl.Create(connectionString);
        }
        catch (MongoConfigurationException ex)
        {
            throw new OptionsValidationException(ConnectionStringName, typeof(StorageOptions),
                ["ConnectionStrings:mongodb is not a valid MongoDB connection string: " + ex.Message]);
        }

        builder.Services.AddOptions<MongoStoreOptions>()
            .BindConfiguration(MongoStoreOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<IMongoClient>(sp => new MongoClient(MongoClientFactory.CreateSettings(connectionString,
            sp.GetRequiredService<IOptions<MongoStoreOptions>>().Value, sp.GetRequiredService<IOptions<StorageOptions>>().Value.OperationTimeout)));
        builder.Services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<MongoStoreOptions>>().Value;
            var client = sp.GetRequiredService<IMongoClient>();
            var database = MongoClientFactory.DatabaseName(connectionString, options);
            ApiLog.MongoSettings(sp.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(MongoClientFactory)), database,
                client.Settings.ServerSelectionTimeout, client.Settings.ConnectTimeout, client.Settings.WriteConcern.WTimeout ?? TimeSpan.Zero);
            return client.GetDatabase(database);
        });
        builder.Services.AddSingleton<MongoIndexes>();
        builder.Services.AddHostedService<MongoIndexInitializer>();
        builder.Services.AddKeyedSingleton<IStoragePrimitives, MongoStorage>(backendKey);
        builder.Services.AddHealthChecks().AddCheck<MongoHealthCheck>("mongodb");
    }
}
