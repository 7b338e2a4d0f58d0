using System.Net;
using Microsoft.Data.Sqlite;
using Vapora.Testing;

namespace Vapora.WorkflowApi.Tests;

/// <summary>
/// Several API replicas share one outbox (issue 25, finding 7): three real API processes on one SQLite file accept
/// updates while Redis is down, then Redis returns and their relays drain a backlog of many batches. Each update is
/// published about once, not once per replica.
/// </summary>
public sealed class RelayReplicasTests : IDisposable
{
    private const int Workflows = 24;
    private const int UpdatesPerWorkflow = 50; // 1,200 updates: twelve relay batches of 100.
    private readonly string _directory = Directory.CreateTempSubdirectory("vapora-replicas-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Three_replicas_draining_one_backlog_publish_each_update_about_once()
    {
        await using var redis = await RedisServer.StartProcessAsync();
        var database = Path.Combine(_directory, "vapora.db");
        var settings = new Dictionary<string, string?>
        {
            ["Storage__Provider"] = "sqlite",
            ["ConnectionStrings__sqlite"] = $"Data Source={database}",
            ["Publishing__OutboxBatchSize"] = "100",
            ["Publishing__OutboxPollInterval"] = "00:00:00.050",
            ["Publishing__OutboxGrace"] = "00:00:00.500",
            ["RateLimits__WritesPerSecond"] = "100000",
            ["RateLimits__WriteBurst"] = "100000",
        };
        var replicas = new List<ServiceProcess>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                replicas.Add(await ServiceProcess.StartApiAsync(redis.ConnectionString, settings));
            }

            var clients = replicas.Select(r => new WorkflowApiClient(r.Http)).ToList();
            var ids = new List<string>();
            for (var w = 0; w < Workflows; w++)
            {
                ids.Add((await clients[w % 3].CreateAsync("replicated " + w, totalSteps: UpdatesPerWorkflow)).WorkflowId);
            }

            await redis.KillAsync();
            await Task.WhenAll(ids.Select((id, w) => Task.Run(async () =>
            {
                for (var step = 1; step <= UpdatesPerWorkflow; step++)
                {
                    using var response = await clients[(w + step) % 3].PatchAsync(id, $$"""{"status":"running","current_step":{{step}}}""");
                    Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                }
            }, Ct)));
            Assert.True(await UnpublishedAsync(database) >= 10 * 100, "the backlog should be more than several relay batches");

            await redis.StartProcessAgainAsync();
            await Poll.UntilAsync(async () => await UnpublishedAsync(database) == 0, TimeSpan.FromSeconds(60), "the relays to drain the backlog");
            // Every relay finishes the pass it is in; then its gauge shows the empty outbox.
            await Poll.UntilAsync(async () => (await Task.WhenAll(replicas.Select(r => r.MetricsAsync()))).All(m => m.Value("vapora_api_outbox_backlog") == 0),
                TimeSpan.FromSeconds(10), "every relay to have seen the empty outbox");

            var metrics = await Task.WhenAll(replicas.Select(r => r.MetricsAsync()));
            var accepted = metrics.Sum(m => m.Value("vapora_api_updates_accepted_total"));
            var published = metrics.Sum(m => m.Value("vapora_api_updates_published_total"));
            var relayed = metrics.Sum(m => m.Value("vapora_api_updates_published_total", "path=\"relay\""));
            var ratio = published / accepted;
            TestContext.Current.TestOutputHelper?.WriteLine(
                $"3 replicas, {accepted} updates accepted ({Workflows * UpdatesPerWorkflow} while Redis was down), {published} publishes "
                + $"({relayed} by relays): {ratio:0.000} publishes per update");

            Assert.Equal(Workflows * (UpdatesPerWorkflow + 1), accepted);
            Assert.True(ratio >= 1.0, $"every update is published: {published} publishes for {accepted} updates");
            Assert.True(ratio <= 1.1, $"{ratio:0.000} publishes per update (at most 1.1): {published} publishes for {accepted} updates");
        }
        finally
        {
            foreach (var replica in replicas)
            {
                await replica.DisposeAsync();
            }
        }
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    private static async Task<long> UnpublishedAsync(string database)
    {
        await using var connection = new SqliteConnection($"Data Source={database};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync(Ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM workflow_log WHERE published = 0";
        return (long)(await command.ExecuteScalarAsync(Ct))!;
    }
}
