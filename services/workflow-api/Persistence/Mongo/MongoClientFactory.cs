using MongoDB.Driver;

namespace Vapora.WorkflowApi.Persistence.Mongo;

/// <summary>
/// Client settings from the connection string, with what the store's guarantees rest on set in code: write concern
/// majority with journal (an acknowledged update survives a crash and a failover, so its version is never reused
/// with other content), read concern majority (history never serves an entry a failover could roll back) and reads
/// from the primary. Timeouts come from the connection string when it names them, else from <see cref="MongoStoreOptions"/>.
/// </summary>
internal static class MongoClientFactory
{
    /// <summary>
    /// How long MongoDB waits for a majority to confirm a write: just below the call bound
    /// (<c>Storage:OperationTimeout</c>), so that MongoDB gives up the wait and answers (a write concern error: stored on
    /// the primary, not confirmed) before the API abandons the call, and the server-side wait does not outlive it.
    /// </summary>
    public static TimeSpan WriteConcernTimeout(TimeSpan operationTimeout) => operationTimeout * 0.9;

    public static MongoClientSettings CreateSettings(string connectionString, MongoStoreOptions options, TimeSpan operationTimeout)
    {
        var settings = MongoClientSettings.FromUrl(MongoUrl.Create(connectionString));
        var named = NamedOptions(connectionString);
        if (!named.Contains("serverselectiontimeoutms"))
        {
            settings.ServerSelectionTimeout = options.ServerSelectionTimeout;
        }

        if (!named.Contains("connecttimeoutms"))
        {
            settings.ConnectTimeout = options.ConnectTimeout;
        }

        settings.WriteConcern = WriteConcern.WMajority.With(journal: true, wTimeout: WriteConcernTimeout(operationTimeout));
        settings.ReadConcern = ReadConcern.Majority;
        settings.ReadPreference = ReadPreference.Primary;
        settings.RetryWrites = true;
        settings.RetryReads = true;
        return settings;
    }

    /// <summary>The database the connection string names, else the configured one.</summary>
    public static string DatabaseName(string connectionString, MongoStoreOptions options) =>
        MongoUrl.Create(connectionString).DatabaseName ?? options.Database;

    // The option names in the URL's query string, lower case (MongoDB URI option names are case-insensitive).
    private static HashSet<string> NamedOptions(string connectionString)
    {
        var query = connectionString.Split('?', 2) is [_, var q] ? q : string.Empty;
        return query.Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair => pair.Split('=', 2)[0].ToLowerInvariant())
            .ToHashSet(StringComparer.Ordinal);
    }
}
