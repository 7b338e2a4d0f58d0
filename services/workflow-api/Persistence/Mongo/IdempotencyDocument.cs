using MongoDB.Bson.Serialization.Attributes;

namespace Vapora.WorkflowApi.Persistence.Mongo;

/// <summary>
/// An Idempotency-Key and the create that holds it (collection <c>idempotency_keys</c>). Keyed by the key itself, so
/// the key's uniqueness needs no index on the update log, which can then be sharded.
/// </summary>
[BsonIgnoreExtraElements]
internal sealed class IdempotencyDocument
{
    [BsonId]
    public required string Key { get; set; }

    [BsonElement("fingerprint")]
    public required string Fingerprint { get; set; }

    [BsonElement("workflow_id")]
    public required string WorkflowId { get; set; }

    [BsonElement("name")]
    public required string Name { get; set; }

    [BsonElement("created_at")]
    public required DateTime CreatedAt { get; set; }

    /// <summary>Version 1 of the workflow the key creates, as it is (or will be) in the log.</summary>
    [BsonElement("payload")]
    public required byte[] Payload { get; set; }

    public static IdempotencyDocument From(IdempotencyClaim claim) => new()
    {
        Key = claim.Key,
        Fingerprint = claim.Fingerprint,
        WorkflowId = claim.First.WorkflowId,
        Name = claim.First.Name,
        CreatedAt = claim.First.CreatedAt.UtcDateTime,
        Payload = claim.First.Update.Json.ToArray(),
    };

    public IdempotencyClaim ToClaim() =>
        new(Key, Fingerprint, new LogEntry(StoredUpdate.Decode(Payload), Name, new DateTimeOffset(CreatedAt, TimeSpan.Zero)));
}
