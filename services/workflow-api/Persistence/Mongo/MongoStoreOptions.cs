using System.ComponentModel.DataAnnotations;

namespace Vapora.WorkflowApi.Persistence.Mongo;

/// <summary>MongoDB store settings (section <c>Storage:Mongo</c>); the connection string is <c>ConnectionStrings:mongodb</c>.</summary>
public sealed class MongoStoreOptions
{
    /// <summary>Configuration section.</summary>
    public const string SectionName = "Storage:Mongo";

    /// <summary>Database used when the connection string names none.</summary>
    [Required]
    public string Database { get; set; } = "vapora";

    /// <summary>How often a writer retries after losing a race for the next version before giving up with 503.</summary>
    [Range(1, 1000)]
    public int MaxWriteAttempts { get; set; } = 50;
}
