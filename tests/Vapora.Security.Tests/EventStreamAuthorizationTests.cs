using System.Text.Json;
using Vapora.Contracts;
using Vapora.Testing;

namespace Vapora.Security.Tests;

/// <summary>
/// The event streams follow the sockets' rules, read with <c>curl -N</c>: a token in the header or (for
/// <c>EventSource</c>) in <c>access_token</c>, per-workflow rights, expiry, and the Origin check — refusals before the
/// stream begins are HTTP statuses with the close code in the ProblemDetails.
/// </summary>
public sealed class EventStreamAuthorizationTests(SecuredFixture fixture) : IClassFixture<SecuredFixture>
{
    private Uri Stream(ServiceProcess gateway, string id, string? token = null) =>
        new(gateway.BaseUrl, $"api/workflows/{id}/events" + (token is null ? "" : $"?access_token={token}"));

    private Uri Multiplex(string ids, string? token = null) =>
        new(fixture.Gateway.BaseUrl, $"events?workflows={ids}" + (token is null ? "" : $"&access_token={token}"));

    [Fact]
    public async Task An_event_stream_without_a_token_is_401_before_streaming_on_both_paths()
    {
        var created = await fixture.ClientWith(fixture.AdminToken).CreateAsync();

        foreach (var url in new[] { Stream(fixture.Gateway, created.WorkflowId), Multiplex(created.WorkflowId) })
        {
            await using var curl = CurlEventStream.Start(url);
            Assert.Equal(401, await curl.StatusAsync());
            Assert.Equal("Bearer", curl.Headers["www-authenticate"]);
            await curl.EndedAsync();
            var problem = JsonDocument.Parse(curl.Body).RootElement;
            Assert.Equal(CloseReason.Unauthorized.Code, problem.GetProperty("close_code").GetInt32());
            Assert.Contains("token is required", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("expired")]
    [InlineData("wrong signature")]
    [InlineData("alg none")]
    [InlineData("tampered payload")]
    public async Task An_event_stream_with_a_bad_token_is_401(string kind)
    {
        var created = await fixture.ClientWith(fixture.AdminToken).CreateAsync();

        await using var curl = CurlEventStream.Start(Stream(fixture.Gateway, created.WorkflowId, RestAuthorizationTests.BadToken(fixture.Tokens, kind)));

        Assert.Equal(401, await curl.StatusAsync());
        Assert.Contains("invalid_token", curl.Headers["www-authenticate"], StringComparison.Ordinal);
        await curl.EndedAsync();
        Assert.Contains(kind == "expired" ? "expired" : "invalid token", JsonDocument.Parse(curl.Body).RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_token_may_come_in_access_token_on_both_event_stream_paths_or_in_the_authorization_header()
    {
        var created = await fixture.ClientWith(fixture.AdminToken).CreateAsync();
        var token = fixture.Tokens.Create("workflows:read");

        await using var query = CurlEventStream.Start(Stream(fixture.Gateway, created.WorkflowId, token));
        await using var multiplexQuery = CurlEventStream.Start(Multiplex(created.WorkflowId, token));
        await using var header = CurlEventStream.Start(Stream(fixture.Gateway, created.WorkflowId), new Dictionary<string, string> { ["Authorization"] = "Bearer " + token });

        foreach (var curl in new[] { query, multiplexQuery, header })
        {
            Assert.Equal(200, await curl.StatusAsync());
            Assert.Equal(created.WorkflowId, JsonDocument.Parse((await curl.Events.NextUpdatesAsync(1))[0].Data).RootElement.GetProperty("workflow_id").GetString());
        }
    }

    [Fact]
    public async Task A_token_for_workflow_A_streams_A_is_403_for_B_and_on_the_multiplexed_stream_B_gets_a_forbidden_workflow_error()
    {
        var a = await fixture.ClientWith(fixture.AdminToken).CreateAsync("A");
        var b = await fixture.ClientWith(fixture.AdminToken).CreateAsync("B");
        var onlyA = fixture.Tokens.Create(workflows: [a.WorkflowId]);

        await using var streamA = CurlEventStream.Start(Stream(fixture.Gateway, a.WorkflowId, onlyA));
        await using var streamB = CurlEventStream.Start(Stream(fixture.Gateway, b.WorkflowId, onlyA));
        await using var both = CurlEventStream.Start(Multiplex($"{b.WorkflowId},{a.WorkflowId}", onlyA));

        Assert.Equal("1", (await streamA.Events.NextUpdatesAsync(1))[0].Id);
        Assert.Equal(403, await streamB.StatusAsync());
        await streamB.EndedAsync();
        Assert.Equal(CloseReason.Forbidden.Code, JsonDocument.Parse(streamB.Body).RootElement.GetProperty("close_code").GetInt32());
        var events = new[] { await both.Events.NextEventAsync(), await both.Events.NextEventAsync() };
        var refused = JsonDocument.Parse(Assert.Single(events, e => e.Type == "workflow_error").Data).RootElement;
        Assert.Equal(("forbidden", b.WorkflowId), (refused.GetProperty("code").GetString(), refused.GetProperty("workflow_id").GetString()));
        Assert.Equal(a.WorkflowId, JsonDocument.Parse(Assert.Single(events, e => e.Type == "message").Data).RootElement.GetProperty("workflow_id").GetString());
    }

    [Fact]
    public async Task An_event_stream_ends_with_a_4401_close_event_when_its_token_expires()
    {
        var created = await fixture.ClientWith(fixture.AdminToken).CreateAsync();
        // exp has whole seconds and no clock skew is allowed: 6 s leaves at least 5 to connect on a busy machine.
        var shortLived = fixture.Tokens.Create("workflows:read", lifetime: TimeSpan.FromSeconds(6));
        await using var curl = CurlEventStream.Start(Stream(fixture.Gateway, created.WorkflowId, shortLived));
        await curl.Events.NextUpdatesAsync(1);

        var close = await curl.Events.NextEventAsync(TimeSpan.FromSeconds(15));
        await curl.EndedAsync();

        Assert.Equal("close", close.Type);
        var reason = JsonDocument.Parse(close.Data).RootElement;
        Assert.Equal(CloseReason.TokenExpired.Code, reason.GetProperty("code").GetInt32());
        Assert.Contains("expired", reason.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.False(reason.GetProperty("resume").GetBoolean());
    }

    [Fact]
    public async Task A_page_of_another_origin_gets_403_and_an_allowed_origin_gets_the_stream_with_cors_headers()
    {
        await using var gateway = await fixture.StartGatewayAsync(new Dictionary<string, string?> { ["Gateway__AllowedOrigins__0"] = "https://app.example.com" });
        var created = await fixture.ClientWith(fixture.AdminToken).CreateAsync();
        var url = Stream(gateway, created.WorkflowId, fixture.Tokens.Create("workflows:read"));

        await using var allowed = CurlEventStream.Start(url, new Dictionary<string, string> { ["Origin"] = "https://app.example.com" });
        await using var refused = CurlEventStream.Start(url, new Dictionary<string, string> { ["Origin"] = "https://evil.example" });
        var (preflight, headers) = await PreflightAsync(url, "https://app.example.com");

        Assert.Equal(200, await allowed.StatusAsync());
        Assert.Equal("https://app.example.com", allowed.Headers["access-control-allow-origin"]);
        Assert.Equal("1", (await allowed.Events.NextUpdatesAsync(1))[0].Id);
        Assert.Equal(403, await refused.StatusAsync());
        Assert.False(refused.Headers.ContainsKey("access-control-allow-origin"));
        // An EventSource of that origin may send Last-Event-ID when it reconnects.
        Assert.Equal(204, preflight);
        Assert.Contains("last-event-id", headers["access-control-allow-headers"], StringComparison.OrdinalIgnoreCase);
    }

    private static async Task<(int Status, Dictionary<string, string> Headers)> PreflightAsync(Uri url, string origin)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Options, url);
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", "GET");
        request.Headers.Add("Access-Control-Request-Headers", "last-event-id");
        using var response = await http.SendAsync(request, TestContext.Current.CancellationToken);
        return ((int)response.StatusCode, response.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => string.Join(',', h.Value)));
    }
}
