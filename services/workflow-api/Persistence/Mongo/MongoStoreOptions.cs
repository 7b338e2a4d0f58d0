using System.ComponentModel.DataAnnotations;

namespace Vapora.WorkflowApi.Persistence.Mongo;

/// <summary>
/// MongoDB store settings (section <c>Storage:Mongo</c>); the connection string is <c>ConnectionStrings:mongodb</c>.
/// The timeouts apply when the connection string does not name them (<c>serverSelectionTimeoutMS</c>,
/// <c>connectTimeoutMS</c>): the driver's own defaults (30 s) would hold requests far beyond <c>Storage:OperationTimeout</c>.
/// </summary>
public sealed class MongoStoreOptions
{
    /// <summary>Configuration section.</summary>
    public const string SectionName = "Storage:Mongo";

    /// <summary>Database used when the connection string names none.</summary>
    [Required]
    public string Database { get; set; } = "vapora";

    /// <summary>How long the driver looks for a suitable server (the primary) before the call fails.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan ServerSelectionTimeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>How long opening a connection may take.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(3);
}
