using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Vapora.Contracts;
using Vapora.Testing;

namespace Vapora.WorkflowApi.Tests;

/// <summary>A store that is down or refuses a write, seen from outside: the real API process over real sockets.</summary>
public sealed class StoreFailureTests(RedisFixture redis)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task With_mongodb_unreachable_the_api_starts_is_live_not_ready_and_answers_503_problem_details_within_6_seconds()
    {
        await using var api = await ServiceProcess.StartApiAsync(redis.Server.ConnectionString, new Dictionary<string, string?>
        {
            ["Storage__Provider"] = "mongodb",
            ["ConnectionStrings__mongodb"] = $"mongodb://127.0.0.1:{TestPorts.GetFree()}/vapora",
        });

        using var live = await api.Http.GetAsync("health/live", Ct);
        using var ready = await api.Http.GetAsync("health/ready", Ct);
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        using (var report = JsonDocument.Parse(await ready.Content.ReadAsStringAsync(Ct)))
        {
            Assert.Equal("Unhealthy", report.RootElement.GetProperty("checks").GetProperty("mongodb").GetProperty("status").GetString());
        }

        var requests = new (string Name, Func<HttpRequestMessage> Create)[]
        {
            ("POST", () => new HttpRequestMessage(HttpMethod.Post, "api/workflows") { Content = Json("""{"name":"while mongodb is down"}""") }),
            ("PATCH", () => new HttpRequestMessage(HttpMethod.Patch, "api/workflows/wf_down") { Content = Json("""{"current_step":1}""") }),
            ("GET", () => new HttpRequestMessage(HttpMethod.Get, "api/workflows/wf_down")),
            ("GET list", () => new HttpRequestMessage(HttpMethod.Get, "api/workflows")),
            ("GET history", () => new HttpRequestMessage(HttpMethod.Get, "api/workflows/wf_down/history")),
        };
        // At once: each is timed on its own, and the test waits for the slowest only.
        await Task.WhenAll(requests.Select(async r =>
        {
            using var request = r.Create();
            var watch = Stopwatch.StartNew();
            using var response = await api.Http.SendAsync(request, Ct).WaitAsync(TimeSpan.FromSeconds(15), Ct);
            var elapsed = watch.Elapsed;
            var body = await response.Content.ReadAsStringAsync(Ct);

            Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable, $"{r.Name}: {(int)response.StatusCode} {body}");
            Assert.True(elapsed < TimeSpan.FromSeconds(6), $"{r.Name} took {elapsed}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal("1", response.Headers.RetryAfter?.ToString());
            using var problem = JsonDocument.Parse(body);
            Assert.Equal(503, problem.RootElement.GetProperty("status").GetInt32());
        }));

        Assert.True((await api.MetricsAsync()).Value("vapora_api_store_errors_total") >= requests.Length);
    }

    [Fact]
    public async Task A_patch_whose_summary_write_fails_answers_200_and_the_relay_repairs_the_summary()
    {
        var data = Directory.CreateTempSubdirectory("vapora-summary-");
        var connectionString = $"Data Source={Path.Combine(data.FullName, "vapora.db")};Pooling=False";
        try
        {
            await using var api = await ServiceProcess.StartApiAsync(redis.Server.ConnectionString, new Dictionary<string, string?>
            {
                ["Storage__Provider"] = "sqlite",
                ["ConnectionStrings__sqlite"] = connectionString,
                ["Publishing__OutboxPollInterval"] = "00:00:00.100",
                ["Publishing__OutboxGrace"] = "00:00:00.500",
            });
            var client = new WorkflowApiClient(api.Http);
            var created = await client.CreateAsync("summary refused");
            // Another program makes the summary table refuse updates: the log write (the commit point) still works.
            await ExecuteAsync(connectionString, "CREATE TRIGGER refuse_summaries BEFORE UPDATE ON workflow_summaries BEGIN SELECT RAISE(ABORT, 'refused by the test'); END");

            var updated = await client.ProgressAsync(created.WorkflowId, 3);
            var stale = await ListedAsync(api, created.WorkflowId);
            await ExecuteAsync(connectionString, "DROP TRIGGER refuse_summaries");
            var metrics = await Poll.ForAsync(api.MetricsAsync, m => m.Value("vapora_api_summary_repairs_total") >= 1,
                TimeSpan.FromSeconds(20), "the relay to repair the summary");

            Assert.Equal(2, updated.Version);
            Assert.Equal(1, stale.Version);
            Assert.Equal(updated, await ListedAsync(api, created.WorkflowId));
            Assert.True(metrics.Value("vapora_api_store_errors_total", "operation=\"upsert_summary\"") >= 1);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            data.Delete(recursive: true);
        }
    }

    private static async Task<WorkflowState> ListedAsync(ServiceProcess api, string id)
    {
        var page = JsonSerializer.Deserialize(await api.Http.GetStringAsync("api/workflows?limit=500", Ct), VaporaJsonContext.Default.WorkflowPage)!;
        return page.Items.Single(s => s.WorkflowId == id);
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(Ct);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(Ct);
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");
}
