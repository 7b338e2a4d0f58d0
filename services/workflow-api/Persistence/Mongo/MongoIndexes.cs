using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using MongoDB.Bson;
using MongoDB.Driver;
using Vapora.WorkflowApi.Internal;

namespace Vapora.WorkflowApi.Persistence.Mongo;

/// <summary>
/// Creates the indexes. Only the unique (workflow_id, version) index holds store calls until it exists: without it two
/// writers could both store the same version (<see cref="WaitAsync"/>). The others make queries fast, not correct: they
/// build in the background, after the unique one, and calls do not wait for them (a query whose index is not built yet
/// goes without its hint). Every index is created with commit quorum "majority" on a replica set, so a member that is
/// down does not hold a build for minutes. An index that cannot be created as asked (an existing one with its name or
/// keys but other options; MongoDB's CannotCreateIndex) is reported by name, in the log and in readiness: the unique
/// one fails every call at once (readiness red), another one leaves readiness degraded.
/// </summary>
internal sealed class MongoIndexes(IMongoDatabase database, ILogger<MongoIndexes> logger)
{
    public const string LogCollection = "workflow_updates";
    public const string SummaryCollection = "workflows";
    public const string KeyCollection = "idempotency_keys";
    public const string LeaseCollection = "leases";

    public const string UniqueIndex = "workflow_version_unique";
    public const string OutboxIndex = "outbox_by_workflow_version";
    public const string OutboxAgeIndex = "outbox_by_age";
    public const string StatusIndex = "status_newest_first";
    public const string RetentionIndex = "retention_by_terminal_time";
    public const string KeyExpiryIndex = "expires_at_ttl";

    // MongoDB's CannotCreateIndex, IndexOptionsConflict and IndexKeySpecsConflict: the index cannot be built as asked.
    private static readonly int[] CannotCreateCodes = [67, 85, 86];

    private static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(30);

    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _attemptLock = new();
    private readonly ConcurrentDictionary<string, bool> _built = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _problems = new(StringComparer.Ordinal);
    private Task? _attempt;
    private volatile MongoIndexConflictException? _conflict;
    private CreateIndexCommitQuorum? _commitQuorum;
    private bool _backfilled;

    public bool IsReady => _ready.Task.IsCompletedSuccessfully;

    /// <summary>Why the unique index cannot be created as it is, when an existing index is in the way.</summary>
    public string? Conflict => _conflict?.Message;

    /// <summary>Why other indexes cannot be created, by index name (calls go on without them).</summary>
    public IReadOnlyDictionary<string, string> Problems => _problems;

    /// <summary>True once <paramref name="index"/> exists, so that a query may name it as its hint.</summary>
    public bool IsBuilt(string index) => _built.ContainsKey(index);

    /// <summary>
    /// Returns once the unique index exists. Until then a call joins the one creation attempt under way, or starts one:
    /// while MongoDB is down the call fails as soon as that attempt does (server selection), and once MongoDB is back
    /// the first call creates the index instead of waiting for the start-up initializer's next retry.
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

    /// <summary>
    /// Creates the unique index (a no-op when it exists; throws <see cref="MongoIndexConflictException"/> when it cannot
    /// be created), then every other index not built yet, recording by name those that cannot be. Returns true once all
    /// exist; a failure to reach MongoDB goes on to the caller, to try again.
    /// </summary>
    public async Task<bool> EnsureAsync(CancellationToken cancellationToken)
    {
        await EnsureUniqueAsync(cancellationToken);
        foreach (var (name, create) in BackgroundIndexes())
        {
            if (IsBuilt(name))
            {
                continue;
            }

            try
            {
                await create(cancellationToken);
                _built[name] = true;
                _problems.TryRemove(name, out _);
            }
            catch (MongoCommandException ex) when (CannotCreateCodes.Contains(ex.Code))
            {
                var collection = name is StatusIndex or RetentionIndex ? SummaryCollection : name == KeyExpiryIndex ? KeyCollection : LogCollection;
                _problems[name] = $"Index {name} on {collection} cannot be created ({ex.CodeName}): {ex.ErrorMessage}";
                ApiLog.MongoIndexCannotBeCreated(logger, name, collection, ex.CodeName, ex.ErrorMessage);
            }
        }

        if (!_backfilled)
        {
            await BackfillRetentionFieldsAsync(cancellationToken);
            _backfilled = true;
        }

        return _problems.IsEmpty;
    }

    // One attempt for every waiter; bounded, since a hung socket must not hold all of them.
    private async Task AttemptAsync()
    {
        using var bound = new CancellationTokenSource(AttemptTimeout);
        await EnsureUniqueAsync(bound.Token);
    }

    private async Task EnsureUniqueAsync(CancellationToken cancellationToken)
    {
        if (IsReady)
        {
            return;
        }

        _commitQuorum ??= await CommitQuorumAsync(cancellationToken);
        var log = Builders<UpdateDocument>.IndexKeys;
        try
        {
            await Log.Indexes.CreateOneAsync(new CreateIndexModel<UpdateDocument>(
                log.Ascending(u => u.WorkflowId).Ascending(u => u.Version),
                new CreateIndexOptions { Unique = true, Name = UniqueIndex }), Options(), cancellationToken);
        }
        catch (MongoCommandException ex) when (CannotCreateCodes.Contains(ex.Code))
        {
            throw _conflict = new MongoIndexConflictException(
                $"Index {UniqueIndex} on {LogCollection} cannot be created ({ex.CodeName}): {ex.ErrorMessage}", UniqueIndex, LogCollection, ex);
        }

        _conflict = null;
        _built[UniqueIndex] = true;
        ApiLog.MongoIndexesReady(logger, database.DatabaseNamespace.DatabaseName);
        _ready.TrySetResult();
    }

    private IEnumerable<(string Name, Func<CancellationToken, Task> Create)> BackgroundIndexes()
    {
        var log = Builders<UpdateDocument>.IndexKeys;
        var unpublished = Builders<UpdateDocument>.Filter.Eq(u => u.Published, false);
        // The outbox scan: unpublished entries in (workflow_id, version) order; small, since published ones leave it.
        yield return (OutboxIndex, ct => Log.Indexes.CreateOneAsync(new CreateIndexModel<UpdateDocument>(
            log.Ascending(u => u.Published).Ascending(u => u.WorkflowId).Ascending(u => u.Version),
            new CreateIndexOptions<UpdateDocument> { Name = OutboxIndex, PartialFilterExpression = unpublished }), Options(), ct));
        // The outbox measurement: the oldest unpublished entry, and the capped count of those accepted before a time.
        yield return (OutboxAgeIndex, ct => Log.Indexes.CreateOneAsync(new CreateIndexModel<UpdateDocument>(
            log.Ascending(u => u.Published).Ascending(u => u.AcceptedAt),
            new CreateIndexOptions<UpdateDocument> { Name = OutboxAgeIndex, PartialFilterExpression = unpublished }), Options(), ct));
        yield return (StatusIndex, ct => Summaries.Indexes.CreateOneAsync(new CreateIndexModel<WorkflowDocument>(
            Builders<WorkflowDocument>.IndexKeys.Ascending(w => w.Status).Descending(w => w.Id),
            new CreateIndexOptions { Name = StatusIndex }), Options(), ct));
        // Retention: terminal workflows by when they ended, those not compacted yet first.
        yield return (RetentionIndex, ct => Summaries.Indexes.CreateOneAsync(new CreateIndexModel<WorkflowDocument>(
            Builders<WorkflowDocument>.IndexKeys.Ascending(w => w.Compacted).Ascending(w => w.TerminalAt),
            new CreateIndexOptions<WorkflowDocument>
            {
                Name = RetentionIndex,
                PartialFilterExpression = Builders<WorkflowDocument>.Filter.Exists(w => w.TerminalAt),
            }), Options(), ct));
        // MongoDB's TTL monitor deletes expired keys (about once a minute); the sweep deletes keys of earlier layouts.
        yield return (KeyExpiryIndex, ct => Keys.Indexes.CreateOneAsync(new CreateIndexModel<IdempotencyDocument>(
            Builders<IdempotencyDocument>.IndexKeys.Ascending(k => k.ExpiresAt),
            new CreateIndexOptions { Name = KeyExpiryIndex, ExpireAfter = TimeSpan.Zero }), Options(), ct));
    }

    // Terminal summaries written before retention existed lack terminal_at: they ended at their last update. The status
    // index finds them; none once done.
    private async Task BackfillRetentionFieldsAsync(CancellationToken cancellationToken)
    {
        var filter = Builders<WorkflowDocument>.Filter.In(w => w.Status, ["completed", "failed", "cancelled"])
            & Builders<WorkflowDocument>.Filter.Exists(w => w.TerminalAt, false);
        var set = new BsonDocumentStagePipelineDefinition<WorkflowDocument, WorkflowDocument>(
            [new BsonDocument("$set", new BsonDocument { ["terminal_at"] = "$timestamp", ["compacted"] = false })]);
        await Summaries.UpdateManyAsync(filter, Builders<WorkflowDocument>.Update.Pipeline(set), cancellationToken: cancellationToken);
    }

    private IMongoCollection<UpdateDocument> Log => database.GetCollection<UpdateDocument>(LogCollection);

    private IMongoCollection<WorkflowDocument> Summaries => database.GetCollection<WorkflowDocument>(SummaryCollection);

    private IMongoCollection<IdempotencyDocument> Keys => database.GetCollection<IdempotencyDocument>(KeyCollection);

    private CreateOneIndexOptions Options() => new() { CommitQuorum = _commitQuorum };

    // Commit quorum "majority" on a replica set or a sharded cluster; a standalone mongod accepts none.
    private async Task<CreateIndexCommitQuorum?> CommitQuorumAsync(CancellationToken cancellationToken)
    {
        var hello = await database.RunCommandAsync<BsonDocument>(new BsonDocument("hello", 1), cancellationToken: cancellationToken);
        return hello.Contains("setName") || hello.GetValue("msg", BsonNull.Value) == "isdbgrid" ? CreateIndexCommitQuorum.Majority : null;
    }
}
