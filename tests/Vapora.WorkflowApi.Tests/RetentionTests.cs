using System.Net;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Vapora.Contracts;
using Vapora.Testing;

namespace Vapora.WorkflowApi.Tests;

/// <summary>
/// The data lifecycle in a real API process (issue 25): a terminal workflow's history is compacted to its last update
/// after Retention:CompactAfter and the workflow deleted after Retention:DeleteAfter; running workflows are never
/// touched. In memory and on SQLite (MongoDB: MongoStorageTests and the contract suite).
/// </summary>
public sealed class RetentionTests(RedisFixture redis) : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("vapora-retention-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("memory")]
    [InlineData("sqlite")]
    public async Task A_terminal_workflow_is_compacted_to_its_last_update_then_deleted_and_a_running_one_is_never_touched(string provider)
    {
        await using var api = await ServiceProcess.StartApiAsync(redis.Server.ConnectionString, new Dictionary<string, string?>
        {
            ["Storage__Provider"] = provider,
            ["ConnectionStrings__sqlite"] = $"Data Source={Path.Combine(_directory, "vapora.db")};Pooling=False",
            ["Retention__CompactAfter"] = "00:00:02",
            ["Retention__DeleteAfter"] = "00:00:05",
            ["Retention__SweepInterval"] = "00:00:00.200",
            ["Retention__IdempotencyKeyLifetime"] = "00:00:01",
        });
        var client = new WorkflowApiClient(api.Http);
        var done = await client.CreateAsync("done", totalSteps: 3);
        var running = await client.CreateAsync("running", totalSteps: 10);
        for (var step = 1; step <= 3; step++)
        {
            await client.ProgressAsync(done.WorkflowId, step);
            await client.ProgressAsync(running.WorkflowId, step);
        }

        var last = await client.UpdateAsync(done.WorkflowId, new UpdateWorkflowRequest { Status = WorkflowStatus.Completed });

        var compacted = await Poll.ForAsync(() => client.HistoryAsync(done.WorkflowId), h => h.Count == 1, TimeSpan.FromSeconds(15),
            "the terminal workflow's history to be compacted to its last update");
        var fromBefore = await client.HistoryAsync(done.WorkflowId, after: 2);
        var fromLast = await client.HistoryAsync(done.WorkflowId, after: last.Version);
        var compactedMetrics = await api.MetricsAsync();

        Assert.Equal(5, last.Version);
        Assert.Equal([5L], compacted.Select(u => u.Version));
        Assert.Equal(WorkflowStatus.Completed, compacted[0].Status);
        // What a gateway needs to tell a compacted range: the first version above after + 1, not a 404.
        Assert.Equal([5L], fromBefore.Select(u => u.Version));
        Assert.Empty(fromLast);
        Assert.Equal(last.Version, (await GetStateAsync(api, done.WorkflowId))!.Version);
        Assert.True(compactedMetrics.Value("vapora_api_retention_workflows_total", "action=\"compacted\"") >= 1);

        await Poll.UntilAsync(async () => (await api.Http.GetAsync($"api/workflows/{done.WorkflowId}", Ct)).StatusCode == HttpStatusCode.NotFound,
            TimeSpan.FromSeconds(15), "the terminal workflow to be deleted");
        using var history = await api.Http.GetAsync($"api/workflows/{done.WorkflowId}/history", Ct);
        var listed = JsonSerializer.Deserialize(await api.Http.GetStringAsync("api/workflows?limit=100", Ct), VaporaJsonContext.Default.WorkflowPage)!;
        var deletedMetrics = await api.MetricsAsync();

        Assert.Equal(HttpStatusCode.NotFound, history.StatusCode);
        Assert.DoesNotContain(listed.Items, s => s.WorkflowId == done.WorkflowId);
        Assert.Contains(listed.Items, s => s.WorkflowId == running.WorkflowId);
        Assert.Equal([1L, 2, 3, 4], (await client.HistoryAsync(running.WorkflowId)).Select(u => u.Version));
        Assert.True(deletedMetrics.Value("vapora_api_retention_workflows_total", "action=\"deleted\"") >= 1);
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    private static async Task<WorkflowState?> GetStateAsync(ServiceProcess api, string id)
    {
        using var response = await api.Http.GetAsync($"api/workflows/{id}", Ct);
        return response.StatusCode == HttpStatusCode.NotFound
            ? null
            : JsonSerializer.Deserialize(await response.Content.ReadAsStringAsync(Ct), VaporaJsonContext.Default.WorkflowState);
    }
}
