using Microsoft.Extensions.Logging;
using MongoDB.Driver;
using Vapora.WorkflowApi.Internal;

namespace Vapora.WorkflowApi.Persistence.Mongo;

/// <summary>
/// Creates the indexes the store's correctness rests on, and holds store calls until they exist: without the unique
/// (workflow_id, version) index two writers could both store the same version. An index that conflicts with an
/// existing one (same name or keys, other options) is reported by name, in the log and in readiness, and calls fail
/// at once instead of waiting for something that cannot happen.
/// </summary>
internal sealed class MongoIndexes(IMongoDatabase database, ILogger<MongoIndexes> logger)
{
    public const string LogCollection = "workflow_updates";
    public const string SummaryCollection = "workflows";
    public const string KeyCollection = "idempotency_keys";

    // MongoDB's IndexOptionsConflict and IndexKeySpecsConflict.
    private static readonly int[] ConflictCodes = [85, 86];

    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile string? _conflict;

    public bool IsReady => _ready.Task.IsCompletedSuccessfully;

    /// <summary>Why the indexes cannot be created as they are, when an existing index is in the way.</summary>
    public string? Conflict => _conflict;

    public Task WaitAsync(CancellationToken cancellationToken)
    {
        if (_ready.Task.IsCompletedSuccessfully)
        {
            return Task.CompletedTask;
        }

        return _conflict is { } conflict
            ? Task.FromException(new MongoIndexConflictException(conflict))
            : _ready.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Creates every index (a no-op for those that exist); throws <see cref="MongoIndexConflictException"/> on a conflict.</summary>
    public async Task EnsureAsync(CancellationToken cancellationToken)
    {
        var log = Builders<UpdateDocument>.IndexKeys;
        await CreateAsync(database.GetCollection<UpdateDocument>(LogCollection), new CreateIndexModel<UpdateDocument>(
            log.Ascending(u => u.WorkflowId).Ascending(u => u.Version),
            new CreateIndexOptions { Unique = true, Name = "workflow_version_unique" }), cancellationToken);
        // The outbox scan: unpublished entries in (workflow_id, version) order; small, since published ones leave it.
        await CreateAsync(database.GetCollection<UpdateDocument>(LogCollection), new CreateIndexModel<UpdateDocument>(
            log.Ascending(u => u.Published).Ascending(u => u.WorkflowId).Ascending(u => u.Version),
            new CreateIndexOptions<UpdateDocument>
            {
                Name = "outbox_by_workflow_version",
                PartialFilterExpression = Builders<UpdateDocument>.Filter.Eq(u => u.Published, false),
            }), cancellationToken);
        await CreateAsync(database.GetCollection<WorkflowDocument>(SummaryCollection), new CreateIndexModel<WorkflowDocument>(
            Builders<WorkflowDocument>.IndexKeys.Ascending(w => w.Status).Descending(w => w.Id),
            new CreateIndexOptions { Name = "status_newest_first" }), cancellationToken);

        _conflict = null;
        ApiLog.MongoIndexesReady(logger, database.DatabaseNamespace.DatabaseName);
        _ready.TrySetResult();
    }

    private async Task CreateAsync<T>(IMongoCollection<T> collection, CreateIndexModel<T> index, CancellationToken cancellationToken)
    {
        try
        {
            await collection.Indexes.CreateOneAsync(index, cancellationToken: cancellationToken);
        }
        catch (MongoCommandException ex) when (ConflictCodes.Contains(ex.Code))
        {
            var conflict = $"Index {index.Options.Name} on {collection.CollectionNamespace.CollectionName} conflicts with an existing index: {ex.ErrorMessage}";
            _conflict = conflict;
            throw new MongoIndexConflictException(conflict, index.Options.Name, collection.CollectionNamespace.CollectionName, ex);
        }
    }
}
