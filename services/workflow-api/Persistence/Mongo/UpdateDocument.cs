using MongoDB.Bson;
using MongoDB.Bson.Serialization.Attributes;

namespace Vapora.WorkflowApi.Persistence.Mongo;

/// <summary>
/// One entry of the update log (collection <c>workflow_updates</c>). The unique index on (workflow_id, version) is
/// what keeps versions contiguous between API replicas: two writers computing the same next version cannot both
/// insert it. It is the only unique index here and starts with workflow_id, so the collection can be sharded on
/// <c>{workflow_id: "hashed"}</c> (MongoDB accepts a unique index whose fields start with the shard key's): every
/// read and write of one workflow goes to one shard, and new workflows, whose ULIDs grow with time, spread over all.
/// </summary>
[BsonIgnoreExtraElements]
internal sealed class UpdateDocument
{
    [BsonId]
    public ObjectId Id { get; set; }

    [BsonElement("workflow_id")]
    public required string WorkflowId { get; set; }

    [BsonElement("version")]
    public required long Version { get; set; }

    /// <summary>The update's UTF-8 JSON, exactly as published and served by the history endpoint.</summary>
    [BsonElement("payload")]
    public required byte[] Payload { get; set; }

    // Fixed at creation and carried by every entry, so any entry can create the summary.
    [BsonElement("name")]
    public required string Name { get; set; }

    [BsonElement("created_at")]
    public required DateTime CreatedAt { get; set; }

    /// <summary>False until the update was published and its summary moved; the outbox relay finishes what stays false.</summary>
    [BsonElement("published")]
    public bool Published { get; set; }

    [BsonElement("accepted_at")]
    public DateTime AcceptedAt { get; set; }

    public static UpdateDocument From(LogEntry entry, DateTime acceptedAt) => new()
    {
        WorkflowId = entry.WorkflowId,
        Version = entry.Version,
        Payload = entry.Update.Json.ToArray(),
        Name = entry.Name,
        CreatedAt = entry.CreatedAt.UtcDateTime,
        AcceptedAt = acceptedAt,
    };

    public LogEntry ToEntry() => new(StoredUpdate.Decode(Payload), Name, new DateTimeOffset(CreatedAt, TimeSpan.Zero));
}
