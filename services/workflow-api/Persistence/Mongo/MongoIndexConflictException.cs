using MongoDB.Driver;

namespace Vapora.WorkflowApi.Persistence.Mongo;

/// <summary>An index the store needs cannot be created because an existing index has its name or keys with other options.</summary>
internal sealed class MongoIndexConflictException : MongoException
{
    public MongoIndexConflictException(string message, string? index = null, string? collection = null, Exception? innerException = null)
        : base(message, innerException)
    {
        Index = index ?? string.Empty;
        Collection = collection ?? string.Empty;
    }

    public string Index { get; }

    public string Collection { get; }
}
