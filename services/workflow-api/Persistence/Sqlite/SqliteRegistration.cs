using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Vapora.WorkflowApi.Persistence.Sqlite;

/// <summary>Registers the SQLite store (<c>Storage:Provider=sqlite</c>).</summary>
internal static class SqliteRegistration
{
    /// <summary>Name of the SQLite connection string (<c>ConnectionStrings__sqlite</c>).</summary>
    public const string ConnectionStringName = "sqlite";

    public static void AddSqliteStorage(this IHostApplicationBuilder builder, string backendKey)
    {
        var connectionString = builder.Configuration.GetConnectionString(ConnectionStringName);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new OptionsValidationException(ConnectionStringName, typeof(StorageOptions),
                ["ConnectionStrings:sqlite is not set. Set ConnectionStrings__sqlite, for example to \"Data Source=/var/lib/vapora/vapora.db\"."]);
        }

        builder.Services.AddKeyedSingleton<IStoragePrimitives>(backendKey, (sp, _) => new SqliteStorage(
            connectionString, sp.GetRequiredService<IOptions<StorageOptions>>().Value.OperationTimeout, sp.GetRequiredService<TimeProvider>()));
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration("sqlite", _ => new SqliteHealthCheck(connectionString), null, null));
    }
}
