using MongoDB.Bson.Serialization.Attributes;

namespace Vapora.WorkflowApi.Persistence.Mongo;

/// <summary>
/// The latest state of a workflow (collection <c>workflows</c>), a summary derived from the log for
/// listing and filtering. Writers move it forward only (filter <c>version &lt; new</c>); if a writer dies
/// before moving it, the outbox relay does.
/// </summary>
[BsonIgnoreExtraElements]
internal sealed class WorkflowDocument
{
    [BsonId]
    public required string Id { get; set; }

    [BsonElement("name")]
    public required string Name { get; set; }

    [BsonElement("created_at")]
    public DateTime CreatedAt { get; set; }

    [BsonElement("version")]
    public long Version { get; set; }

    [BsonElement("status")]
    public required string Status { get; set; }

    [BsonElement("current_step")]
    public int CurrentStep { get; set; }

    [BsonElement("total_steps")]
    public int TotalSteps { get; set; }

    [BsonElement("message"), BsonIgnoreIfNull]
    public string? Message { get; set; }

    [BsonElement("timestamp")]
    public DateTime Timestamp { get; set; }
}
