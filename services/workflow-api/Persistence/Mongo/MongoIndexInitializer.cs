using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MongoDB.Driver;
using Vapora.WorkflowApi.Internal;

namespace Vapora.WorkflowApi.Persistence.Mongo;

/// <summary>
/// Creates the indexes at start-up and in the background: the unique one first (readiness stays red until it exists),
/// then the others, retrying until MongoDB answers. An index that cannot be created is an error an operator must fix;
/// it is logged by name and tried again every 30 s.
/// </summary>
internal sealed class MongoIndexInitializer(MongoIndexes indexes, IMongoDatabase database, TimeProvider time, ILogger<MongoIndexInitializer> logger) : BackgroundService
{
    private static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var delay = TimeSpan.FromMilliseconds(500);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (await indexes.EnsureAsync(stoppingToken))
                {
                    ApiLog.MongoIndexesAllBuilt(logger, database.DatabaseNamespace.DatabaseName);
                    return;
                }

                delay = MaxDelay; // Some cannot be created (logged by name): look again later.
            }
            catch (MongoIndexConflictException ex)
            {
                delay = MaxDelay;
                ApiLog.MongoIndexConflict(logger, ex.Index, ex.Collection, ex.InnerException?.Message ?? ex.Message, delay);
            }
            catch (Exception ex) when (ex is MongoException or TimeoutException)
            {
                ApiLog.MongoIndexesFailed(logger, delay, ex);
            }

            await Task.Delay(delay, time, stoppingToken);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxDelay.Ticks));
        }
    }
}
