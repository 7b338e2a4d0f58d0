using MongoDB.Bson.Serialization.Attributes;

namespace Vapora.WorkflowApi.Persistence.Mongo;

/// <summary>
/// A lease (collection <c>leases</c>, a handful of documents: leave it unsharded): who holds it and until when, by the
/// primary's clock (<c>$$NOW</c>), so that API replicas whose clocks differ agree on whether it expired.
/// </summary>
[BsonIgnoreExtraElements]
internal sealed class LeaseDocument
{
    [BsonId]
    public required string Name { get; set; }

    [BsonElement("owner")]
    public required string Owner { get; set; }

    [BsonElement("expires_at")]
    public DateTime ExpiresAt { get; set; }
}
