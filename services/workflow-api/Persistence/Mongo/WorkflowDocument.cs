using MongoDB.Bson.Serialization.Attributes;
using Vapora.Contracts;

namespace Vapora.WorkflowApi.Persistence.Mongo;

/// <summary>
/// The latest state of a workflow (collection <c>workflows</c>, keyed by workflow id: shard it on <c>{_id: "hashed"}</c>),
/// a summary derived from the log for listing and filtering by status, and for retention (when it ended, whether its log
/// was compacted). It only moves forward (an upsert filtered on <c>version &lt; new</c>); a writer that could not move
/// it leaves its entry unpublished, and the outbox relay moves it.
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

    /// <summary>When the workflow reached its terminal status (that update's timestamp); absent while it runs.</summary>
    [BsonElement("terminal_at"), BsonIgnoreIfNull]
    public DateTime? TerminalAt { get; set; }

    /// <summary>True once retention cut its log to its last update.</summary>
    [BsonElement("compacted")]
    public bool Compacted { get; set; }

    /// <summary>The state the summary holds; a status this API does not know is an error, never another status.</summary>
    public WorkflowState ToState() => new()
    {
        WorkflowId = Id,
        Version = Version,
        Status = WorkflowStatusRules.TryParseWireName(Status, out var status)
            ? status
            : throw new StoredDataException($"The summary of workflow {Id} has the unknown status '{Status}'."),
        CurrentStep = CurrentStep,
        TotalSteps = TotalSteps,
        Message = Message,
        Timestamp = new DateTimeOffset(Timestamp, TimeSpan.Zero),
        Name = Name,
        CreatedAt = new DateTimeOffset(CreatedAt, TimeSpan.Zero),
    };
}
