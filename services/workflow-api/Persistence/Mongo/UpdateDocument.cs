using MongoDB.Bson;
using MongoDB.Bson.Serialization.Attributes;

namespace Vapora.WorkflowApi.Persistence.Mongo;

/// <summary>
/// One entry of the update log (collection <c>workflow_updates</c>). The unique index on
/// (workflow_id, version) is what keeps versions contiguous between API replicas: two writers
/// computing the same next version cannot both insert it.
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

    /// <summary>False until the update reached Redis; the outbox relay publishes what stays false.</summary>
    [BsonElement("published")]
    public bool Published { get; set; }

    [BsonElement("accepted_at")]
    public DateTime AcceptedAt { get; set; }

    // Fields fixed at creation, kept on version 1 only.

    [BsonElement("name"), BsonIgnoreIfNull]
    public string? Name { get; set; }

    [BsonElement("created_at"), BsonIgnoreIfNull]
    public DateTime? CreatedAt { get; set; }

    [BsonElement("idempotency_key"), BsonIgnoreIfNull]
    public string? IdempotencyKey { get; set; }

    [BsonElement("request_fingerprint"), BsonIgnoreIfNull]
    public string? RequestFingerprint { get; set; }
}
