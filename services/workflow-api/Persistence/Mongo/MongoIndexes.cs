using Microsoft.Extensions.Logging;
using MongoDB.Driver;
using Vapora.WorkflowApi.Internal;

namespace Vapora.WorkflowApi.Persistence.Mongo;

/// <summary>
/// Creates the indexes the store's correctness rests on, and holds store calls until they exist: without the unique
/// (workflow_id, version) index two writers could both store the same version (<see cref="WaitAsync"/>). An index that conflicts with an
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

    private static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(30);

    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _attemptLock = new();
    private Task? _attempt;
    private volatile MongoIndexConflictException? _conflict;

    public bool IsReady => _ready.Task.IsCompletedSuccessfully;

    /// <summary>Why the indexes cannot be created as they are, when an existing index is in the way.</summary>
    public string? Conflict => _conflict?.Message;

    /// <summary>
    /// Returns once the indexes exist. Until then a call joins the one creation attempt under way, or starts one: while
    /// MongoDB is down the call fails as soon as that attempt does (server selection), and once MongoDB is back the
    /// first call creates the indexes instead of waiting for the start-up initializer's next retry.
    /// </summary>
    public Task WaitAsync(CancellationToken cancellationToken)
    {
        if (_ready.Task.IsCompletedSuccessfully)
        {
            return Task.CompletedTask;
        }

        if (_conflict is { } conflict)
        {
            return Task.FromException(new MongoIndexConflictException(conflict.Message, conflict.Index, conflict.Collection, conflict.InnerException));
        }

        Task attempt;
        lock (_attemptLock)
        {
            attempt = _attempt is { IsCompleted: false } running ? running : _attempt = AttemptAsync();
        }

        return attempt.WaitAsync(cancellationToken);
    }

    // One attempt for every waiter; bounded, since a hung socket must not hold all of them.
    private async Task AttemptAsync()
    {
        using var bound = new CancellationTokenSource(AttemptTimeout);
        await EnsureAsync(bound.Token);
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
        // The outbox measurement: the oldest unpublished entry (and the capped count of those accepted before a time)
        // read from the index, not by fetching every unpublished document, while a backlog keeps batches full.
        await CreateAsync(database.GetCollection<UpdateDocument>(LogCollection), new CreateIndexModel<UpdateDocument>(
            log.Ascending(u => u.Published).Ascending(u => u.AcceptedAt),
            new CreateIndexOptions<UpdateDocument>
            {
                Name = "outbox_by_age",
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
            var collectionName = collection.CollectionNamespace.CollectionName;
            throw _conflict = new MongoIndexConflictException(
                $"Index {index.Options.Name} on {collectionName} conflicts with an existing index: {ex.ErrorMessage}",
                index.Options.Name, collectionName, ex);
        }
    }
}
