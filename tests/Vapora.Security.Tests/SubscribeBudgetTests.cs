using Vapora.Testing;

namespace Vapora.Security.Tests;

/// <summary>
/// Failed subscribes are bounded (issue 30, item 6): each failure spends the connection's budget, which refills slowly,
/// and a connection without budget gets <c>rate_limited</c> without a Redis subscribe or an API read; an id found
/// missing is remembered briefly, so asking again costs nothing either. Runs its own API so its reads are this test's alone.
/// </summary>
public sealed class SubscribeBudgetTests(SecuredFixture fixture) : IClassFixture<SecuredFixture>
{
    /// <summary>Each unknown id is a Redis subscribe and an API read: on a busy machine an answer may take a while.</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private const string StateReads = "http_route=\"/api/workflows/{id}\"";

    [Fact]
    public async Task A_flood_of_unknown_ids_costs_the_api_at_most_the_budget_and_is_answered_rate_limited()
    {
        await using var api = await ServiceProcess.StartApiAsync(fixture.Redis.ConnectionString, fixture.Tokens.ServiceSettings());
        await using var gateway = await ServiceProcess.StartGatewayAsync(fixture.Redis.ConnectionString, api.BaseUrl, Settings.Layer(fixture.Tokens.ServiceSettings(),
            new Dictionary<string, string?>
            {
                ["Gateway__ApiAccessToken"] = fixture.Tokens.Create("workflows:read", subject: "gateway", lifetime: TimeSpan.FromDays(1)),
                ["Gateway__FailedSubscribeBudget"] = "5",
                ["Gateway__FailedSubscribeRefill"] = "00:01:00",
                ["Gateway__NotFoundCacheDuration"] = "00:01:00",
            }));
        var url = gateway.WebSocketUrl($"/ws?access_token={fixture.Tokens.Create("workflows:read")}");

        // The same unknown id five times: one API read, five not_found answers.
        await using var repeating = await TestSocket.ConnectAsync(url);
        var codes = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            await repeating.SendAsync("""{"type":"subscribe","workflow_id":"wf_01JUNKNOWN0000000000000000"}""");
            codes.Add((await repeating.NextJsonAsync(Patience)).GetProperty("code").GetString()!);
        }

        Assert.All(codes, c => Assert.Equal("not_found", c));
        // One read (a retry of the read on a loaded machine may make it two), not five.
        var repeatedReads = await StateReadsAsync(api, 1);
        Assert.InRange(repeatedReads, 1, 2);

        // Its budget is spent: the next subscribe is refused at once, whatever the id.
        await repeating.SendAsync("""{"type":"subscribe","workflow_id":"wf_01JUNKNOWN0000000000000001"}""");
        var limited = await repeating.NextJsonAsync(Patience);
        Assert.Equal("rate_limited", limited.GetProperty("code").GetString());

        // Another connection, distinct unknown ids: five reads, then nothing more reaches the API.
        await using var flooding = await TestSocket.ConnectAsync(url);
        for (var i = 0; i < 30; i++)
        {
            await flooding.SendAsync($$"""{"type":"subscribe","workflow_id":"wf_01JFLOOD{{i:D18}}"}""");
        }

        var answers = new List<string>();
        for (var i = 0; i < 30; i++)
        {
            answers.Add((await flooding.NextJsonAsync(Patience)).GetProperty("code").GetString()!);
        }

        Assert.Equal(5, answers.Count(a => a == "not_found"));
        Assert.Equal(25, answers.Count(a => a == "rate_limited"));
        Assert.InRange(await StateReadsAsync(api, repeatedReads + 5) - repeatedReads, 5, 10);
        await Poll.UntilAsync(async () => (await gateway.MetricsAsync()).Value("vapora_gateway_inbound_rejected_total", "reason=\"subscribe_budget\"") == 26, TimeSpan.FromSeconds(10), "the refusals to be counted");
    }

    /// <summary>
    /// The API's reads of one state, once the count shows at least <paramref name="expected"/> (its metrics are recorded
    /// after the response and scraped from a cache, so they trail the answers by a moment).
    /// </summary>
    private static async Task<double> StateReadsAsync(ServiceProcess api, double expected) =>
        await Poll.ForAsync(async () => (await api.MetricsAsync()).Value("http_server_request_duration_seconds_count", StateReads),
            reads => reads >= expected, TimeSpan.FromSeconds(10), $"{expected} state reads counted by the API");
}
