using MongoDB.Bson.Serialization.Attributes;

namespace Vapora.WorkflowApi.Persistence.Mongo;

/// <summary>
/// An Idempotency-Key of one subject and the write that holds it (collection <c>idempotency_keys</c>, shard it on
/// <c>{_id: "hashed"}</c>). Keyed by key and subject together, so the key's uniqueness needs no index on the update log,
/// which can then be sharded; every call names the <c>_id</c>, so each goes to one shard. A TTL index on
/// <c>expires_at</c> deletes it once expired.
/// </summary>
[BsonIgnoreExtraElements]
internal sealed class IdempotencyDocument
{
    /// <summary>The key, a space, the subject: unambiguous, since a key has no spaces.</summary>
    [BsonId]
    public required string Id { get; set; }

    [BsonElement("subject")]
    public required string Subject { get; set; }

    [BsonElement("key")]
    public required string Key { get; set; }

    [BsonElement("fingerprint")]
    public required string Fingerprint { get; set; }

    [BsonElement("workflow_id")]
    public required string WorkflowId { get; set; }

    /// <summary>The version the key stores: 1 for a create, the planned next version for a PATCH.</summary>
    [BsonElement("version")]
    public required long Version { get; set; }

    [BsonElement("name")]
    public required string Name { get; set; }

    [BsonElement("created_at")]
    public required DateTime CreatedAt { get; set; }

    /// <summary>The entry the key stores, as it is (or will be) in the log.</summary>
    [BsonElement("payload")]
    public required byte[] Payload { get; set; }

    [BsonElement("expires_at")]
    public required DateTime ExpiresAt { get; set; }

    public static string IdOf(SubjectKey key) => key.Key + " " + key.Subject;

    public static IdempotencyDocument From(IdempotencyClaim claim) => new()
    {
        Id = IdOf(claim.Key),
        Subject = claim.Key.Subject,
        Key = claim.Key.Key,
        Fingerprint = claim.Fingerprint,
        WorkflowId = claim.Planned.WorkflowId,
        Version = claim.Planned.Version,
        Name = claim.Planned.Name,
        CreatedAt = claim.Planned.CreatedAt.UtcDateTime,
        Payload = claim.Planned.Update.Json.ToArray(),
        ExpiresAt = claim.ExpiresAt.UtcDateTime,
    };

    public IdempotencyClaim ToClaim() => new(
        new SubjectKey(Subject, Key),
        Fingerprint,
        new LogEntry(StoredUpdate.Decode(Payload), Name, new DateTimeOffset(CreatedAt, TimeSpan.Zero)),
        new DateTimeOffset(ExpiresAt, TimeSpan.Zero));
}
