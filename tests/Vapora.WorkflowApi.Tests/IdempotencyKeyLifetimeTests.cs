using System.Net;
using System.Net.Http.Json;
using System.Text;
using Vapora.Contracts;
using Vapora.Testing;

namespace Vapora.WorkflowApi.Tests;

/// <summary>Idempotency keys expire (issue 25 finding 11, issue 30 item 3): after Retention:IdempotencyKeyLifetime a key names a new request.</summary>
public sealed class IdempotencyKeyLifetimeTests(RedisFixture redis)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_key_replays_within_its_lifetime_and_names_a_new_request_after_it()
    {
        await using var api = await ServiceProcess.StartApiAsync(redis.Server.ConnectionString, new Dictionary<string, string?>
        {
            ["Retention__IdempotencyKeyLifetime"] = "00:00:01",
        });
        var key = "lifetime-" + Guid.NewGuid().ToString("N");

        var (first, _) = await PostAsync(api, key);
        var (replayed, wasReplay) = await PostAsync(api, key);
        var afterwards = await Poll.ForAsync(() => PostAsync(api, key), answer => !answer.Replayed, TimeSpan.FromSeconds(10),
            "the key to expire and name a new create");

        Assert.Equal(first, replayed);
        Assert.True(wasReplay);
        Assert.NotEqual(first, afterwards.Id);
    }

    private static async Task<(string Id, bool Replayed)> PostAsync(ServiceProcess api, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/workflows")
        {
            Content = new StringContent("""{"name":"kept for a second"}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("Idempotency-Key", key);
        using var response = await api.Http.SendAsync(request, Ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var state = (await response.Content.ReadFromJsonAsync(VaporaJsonContext.Default.WorkflowState, Ct))!;
        return (state.WorkflowId, response.Headers.Contains("Idempotent-Replayed"));
    }
}
