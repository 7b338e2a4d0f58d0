using System.Net;
using Microsoft.Data.Sqlite;
using Vapora.Testing;

namespace Vapora.WorkflowApi.Tests;

/// <summary>
/// The crash point between store and publish exists only where the test-only assembly is loaded into the process;
/// the setting alone does nothing.
/// </summary>
public sealed class FaultInjectionTests(RedisFixture redis)
{
    private const string Crash = "crash now";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_crash_setting_alone_cannot_crash_the_api()
    {
        await using var api = await ServiceProcess.StartApiAsync(redis.Server.ConnectionString, new Dictionary<string, string?>
        {
            ["Faults__CrashBeforePublishWhenMessageIs"] = Crash,
        });
        var client = new WorkflowApiClient(api.Http);
        var created = await client.CreateAsync();

        var updated = await client.ProgressAsync(created.WorkflowId, 1, Crash);

        Assert.Equal(2, updated.Version);
        Assert.False(api.HasExited);
    }

    [Fact]
    public async Task With_the_test_assembly_loaded_the_api_dies_between_store_and_publish_and_its_relay_publishes_after_a_restart()
    {
        var data = Directory.CreateTempSubdirectory("vapora-faults-");
        try
        {
            await using var api = await ServiceProcess.StartApiAsync(redis.Server.ConnectionString, Settings.Layer(new Dictionary<string, string?>
            {
                ["Storage__Provider"] = "sqlite",
                ["ConnectionStrings__sqlite"] = $"Data Source={Path.Combine(data.FullName, "vapora.db")}",
                ["Publishing__OutboxPollInterval"] = "00:00:00.100",
                ["Publishing__OutboxGrace"] = "00:00:00.500",
            }, FaultInjection.CrashBeforePublishWhenMessageIs(Crash)));
            var client = new WorkflowApiClient(api.Http);
            var created = await client.CreateAsync();

            await Assert.ThrowsAsync<HttpRequestException>(() => client.ProgressAsync(created.WorkflowId, 1, Crash));
            await Poll.UntilAsync(() => api.HasExited, TimeSpan.FromSeconds(10), "the API to kill itself");
            await api.RestartAsync();
            var metrics = await Poll.ForAsync(api.MetricsAsync, m => m.Value("vapora_api_updates_published_total", "path=\"relay\"") >= 1,
                TimeSpan.FromSeconds(20), "the restarted relay to publish the update the crash left unpublished");

            Assert.Equal([1L, 2], (await client.HistoryAsync(created.WorkflowId)).Select(u => u.Version));
            Assert.Equal(Crash, (await client.HistoryAsync(created.WorkflowId))[1].Message);
            Assert.Equal(HttpStatusCode.OK, (await api.Http.GetAsync("health/live", Ct)).StatusCode);
            Assert.True(metrics.Value("vapora_api_updates_published_total", "path=\"relay\"") >= 1);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            data.Delete(recursive: true);
        }
    }
}
