namespace Vapora.WorkflowApi.Persistence;

/// <summary>Which store the API uses (section <c>Storage</c>).</summary>
public sealed class StorageOptions
{
    /// <summary>Configuration section.</summary>
    public const string SectionName = "Storage";

    /// <summary>
    /// <c>mongodb</c> (default; durable, shared by replicas), <c>sqlite</c> (durable, one machine) or
    /// <c>memory</c> (embedded, not durable, one replica only).
    /// </summary>
    public string Provider { get; set; } = Providers.MongoDb;

    /// <summary>Known provider names.</summary>
    public static class Providers
    {
        /// <summary>The durable MongoDB store; needs <c>ConnectionStrings:mongodb</c>.</summary>
        public const string MongoDb = "mongodb";

        /// <summary>The durable single-machine store; needs <c>ConnectionStrings:sqlite</c> (e.g. <c>Data Source=vapora.db</c>).</summary>
        public const string Sqlite = "sqlite";

        /// <summary>The embedded in-memory store.</summary>
        public const string Memory = "memory";
    }
}
