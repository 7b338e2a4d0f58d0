using Microsoft.Extensions.Diagnostics.HealthChecks;
using MongoDB.Bson;
using MongoDB.Driver;

namespace Vapora.WorkflowApi.Persistence.Mongo;

/// <summary>
/// Readiness: the unique index exists (or why it cannot) and the primary answers a ping within 2 s. Another index that
/// cannot be created leaves readiness degraded (calls work without it), naming it.
/// </summary>
internal sealed class MongoHealthCheck(IMongoDatabase database, MongoIndexes indexes) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!indexes.IsReady)
        {
            return HealthCheckResult.Unhealthy(indexes.Conflict ?? "MongoDB indexes are not created yet (MongoDB has not answered).");
        }

        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(2));
            await database.RunCommandAsync<BsonDocument>(new BsonDocument("ping", 1), cancellationToken: timeout.Token).WaitAsync(timeout.Token);
        }
        catch (Exception ex) when (ex is MongoException or TimeoutException or OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy("MongoDB did not answer ping.", ex);
        }

        return indexes.Problems.Count > 0
            ? HealthCheckResult.Degraded(string.Join(" ", indexes.Problems.Values))
            : HealthCheckResult.Healthy();
    }
}
