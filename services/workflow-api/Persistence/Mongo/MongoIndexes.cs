using Microsoft.Extensions.Logging;
using MongoDB.Driver;
using Vapora.WorkflowApi.Internal;

namespace Vapora.WorkflowApi.Persistence.Mongo;

/// <summary>
/// Creates the indexes the store's correctness rests on, and holds every store call until they exist:
/// without the unique (workflow_id, version) index two writers could both store the same version.
/// </summary>
internal sealed class MongoIndexes(IMongoDatabase database, ILogger<MongoIndexes> logger)
{
    public const string UpdatesCollection = "workflow_updates";
    public const string WorkflowsCollection = "workflows";

    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool IsReady => _ready.Task.IsCompletedSuccessfully;

    public Task WaitAsync(CancellationToken cancellationToken) =>
        _ready.Task.IsCompletedSuccessfully ? Task.CompletedTask : _ready.Task.WaitAsync(cancellationToken);

    public async Task EnsureAsync(CancellationToken cancellationToken)
    {
        var updates = database.GetCollection<UpdateDocument>(UpdatesCollection);
        var keys = Builders<UpdateDocument>.IndexKeys;
        var filter = Builders<UpdateDocument>.Filter;
        await updates.Indexes.CreateManyAsync(
        [
            new CreateIndexModel<UpdateDocument>(
                keys.Ascending(u => u.WorkflowId).Ascending(u => u.Version),
                new CreateIndexOptions { Unique = true, Name = "workflow_version_unique" }),
            new CreateIndexModel<UpdateDocument>(
                keys.Ascending(u => u.IdempotencyKey),
                new CreateIndexOptions<UpdateDocument>
                {
                    Unique = true,
                    Name = "idempotency_key_unique",
                    PartialFilterExpression = filter.Exists(u => u.IdempotencyKey),
                }),
            new CreateIndexModel<UpdateDocument>(
                keys.Ascending(u => u.AcceptedAt),
                new CreateIndexOptions<UpdateDocument>
                {
                    Name = "outbox_unpublished",
                    PartialFilterExpression = filter.Eq(u => u.Published, false),
                }),
        ], cancellationToken);

        var workflows = database.GetCollection<WorkflowDocument>(WorkflowsCollection);
        await workflows.Indexes.CreateOneAsync(
            new CreateIndexModel<WorkflowDocument>(
                Builders<WorkflowDocument>.IndexKeys.Ascending(w => w.Status).Descending(w => w.Id),
                new CreateIndexOptions { Name = "status_newest_first" }),
            cancellationToken: cancellationToken);

        ApiLog.MongoIndexesReady(logger, database.DatabaseNamespace.DatabaseName);
        _ready.TrySetResult();
    }
}
