using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MongoDB.Driver;
using Vapora.WorkflowApi.Internal;

namespace Vapora.WorkflowApi.Persistence.Mongo;

/// <summary>Creates the indexes at start-up, retrying until MongoDB answers; readiness stays red until then.</summary>
internal sealed class MongoIndexInitializer(MongoIndexes indexes, TimeProvider time, ILogger<MongoIndexInitializer> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var delay = TimeSpan.FromMilliseconds(500);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await indexes.EnsureAsync(stoppingToken);
                return;
            }
            catch (Exception ex) when (ex is MongoException or TimeoutException)
            {
                ApiLog.MongoIndexesFailed(logger, delay, ex);
                await Task.Delay(delay, time, stoppingToken);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(30).Ticks));
            }
        }
    }
}
