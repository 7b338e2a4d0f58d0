using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Vapora.Contracts;
using Vapora.Testing;

namespace Vapora.Security.Tests;

/// <summary>
/// Issue 30's findings, tried again from outside the way the tester did, against real processes with JWT on: each
/// probe is what the tester did with a valid token beyond its grant, and each must now be refused. Items 3 and 4 have
/// fuller cases in <see cref="IdempotencyKeySubjectTests"/> and <see cref="TokenRefreshTests"/>; here is the probe itself.
/// </summary>
public sealed class ProbeSuiteTests(SecuredFixture fixture) : IClassFixture<SecuredFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Probe_1_a_token_that_may_read_nothing_cannot_take_the_sockets_of_a_gateway_at_its_limit()
    {
        await using var gateway = await fixture.StartGatewayAsync(new Dictionary<string, string?> { ["Gateway__MaxConnections"] = "5" });
        var nothing = fixture.Tokens.Create(subject: "attacker");
        var sockets = new List<TestSocket>();
        try
        {
            for (var i = 0; i < 20; i++)
            {
                sockets.Add(await TestSocket.ConnectAsync(gateway.WebSocketUrl($"/ws?access_token={nothing}")));
            }

            foreach (var socket in sockets)
            {
                Assert.Equal(CloseReason.Forbidden.Code, await socket.WaitClosedAsync());
            }

            await using var legitimate = await TestSocket.ConnectAsync(gateway.WebSocketUrl($"/ws?access_token={fixture.Tokens.Create("workflows:read", subject: "user")}"));
            await legitimate.SendAsync("""{"type":"ping"}""");
            Assert.Equal("pong", (await legitimate.NextJsonAsync()).GetProperty("type").GetString());
        }
        finally
        {
            foreach (var socket in sockets)
            {
                await socket.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Probe_2_a_write_only_token_reads_nothing_through_patch_or_a_stale_if_match()
    {
        var created = await fixture.ClientWith(fixture.AdminToken).CreateAsync("secret name");
        var writeOnly = fixture.Tokens.Create("workflows:write", subject: "producer");

        using var patch = await SendAsync(HttpMethod.Patch, fixture.Api, $"api/workflows/{created.WorkflowId}", writeOnly, """{"current_step":1}""");
        using var stale = await SendAsync(HttpMethod.Patch, fixture.Api, $"api/workflows/{created.WorkflowId}", writeOnly, """{"current_step":2}""", ("If-Match", "\"999\""));

        Assert.Equal(HttpStatusCode.OK, patch.StatusCode);
        Assert.DoesNotContain("secret name", await patch.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.PreconditionFailed, stale.StatusCode);
        Assert.DoesNotContain("current_version", await stale.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Probe_3_another_writers_idempotency_key_replays_nothing_and_its_422_names_no_workflow()
    {
        var key = $"probe-{Guid.NewGuid():N}";
        const string Body = """{"name":"writer a's workflow"}""";
        using var byA = await SendAsync(HttpMethod.Post, fixture.Api, "api/workflows", fixture.Tokens.Create("workflows:write", subject: "writer-a"), Body, ("Idempotency-Key", key));
        var writerB = fixture.Tokens.Create("workflows:write", subject: "writer-b");

        using var sameBody = await SendAsync(HttpMethod.Post, fixture.Api, "api/workflows", writerB, Body, ("Idempotency-Key", key));
        using var otherBody = await SendAsync(HttpMethod.Post, fixture.Api, "api/workflows", writerB, """{"name":"another body"}""", ("Idempotency-Key", key));

        var idOfA = JsonDocument.Parse(await byA.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("workflow_id").GetString()!;
        var answerToB = await sameBody.Content.ReadAsStringAsync(Ct);
        Assert.Equal(HttpStatusCode.Created, sameBody.StatusCode);
        Assert.DoesNotContain(idOfA, answerToB, StringComparison.Ordinal);
        Assert.False(sameBody.Headers.Contains("Idempotent-Replayed"));
        // B's own key now: another body is B's mistake, and the 422 names no workflow at all.
        Assert.Equal(HttpStatusCode.UnprocessableEntity, otherBody.StatusCode);
        Assert.DoesNotContain("wf_", await otherBody.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Probe_4_a_token_valid_for_60_days_streams_on_all_three_routes()
    {
        var api = fixture.ClientWith(fixture.AdminToken);
        var id = (await api.CreateAsync()).WorkflowId;
        var token = fixture.Tokens.Create(workflows: [id], lifetime: TimeSpan.FromDays(60));
        await using var stream = await TestSocket.ConnectAsync(fixture.Gateway.WebSocketUrl($"/api/workflows/{id}/updates?access_token={token}"));
        await using var multiplex = await TestSocket.ConnectAsync(fixture.Gateway.WebSocketUrl($"/ws?access_token={token}"));
        await using var events = CurlEventStream.Start(new Uri(fixture.Gateway.BaseUrl, $"api/workflows/{id}/events?access_token={token}"));
        await multiplex.SendAsync($$"""{"type":"subscribe","workflow_id":"{{id}}"}""");
        Assert.Equal(200, await events.StatusAsync());
        Assert.Equal(1, (await stream.ReadVersionsAsync(1))[0]);
        Assert.Equal("subscribed", (await multiplex.NextJsonAsync()).GetProperty("type").GetString());
        Assert.Equal(1, (await multiplex.ReadVersionsAsync(1))[0]);

        await api.ProgressAsync(id, 1);

        Assert.Equal(2, (await stream.ReadVersionsAsync(1))[0]);
        Assert.Equal(2, (await multiplex.ReadVersionsAsync(1))[0]);
        Assert.Equal(["1", "2"], (await events.Events.NextUpdatesAsync(2)).Select(e => e.Id));
        Assert.DoesNotContain("dueTime", fixture.Gateway.Log(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Probe_5_consecutive_workflow_ids_share_no_predictable_random_part()
    {
        var client = fixture.ClientWith(fixture.AdminToken);
        var randomParts = new List<string>();
        for (var i = 0; i < 11; i++)
        {
            // A ULID is 10 characters of time, then 16 of randomness.
            randomParts.Add((await client.CreateAsync()).WorkflowId[^16..]);
        }

        Assert.Equal(randomParts.Count, randomParts.Select(r => r[^4..]).Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(randomParts.Count, randomParts.Select(r => r[..4]).Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public async Task Probe_6_a_thousand_subscribes_to_unknown_ids_are_mostly_refused_without_reaching_redis_or_the_api()
    {
        await using var socket = await TestSocket.ConnectAsync(fixture.Gateway.WebSocketUrl($"/ws?access_token={fixture.Tokens.Create("workflows:read", subject: "prober")}"));
        for (var i = 0; i < 1000; i++)
        {
            await socket.SendAsync($$"""{"type":"subscribe","workflow_id":"wf_01JPROBE{{i:D17}}"}""");
        }

        var codes = new List<string>();
        for (var i = 0; i < 1000; i++)
        {
            codes.Add((await socket.NextJsonAsync(TimeSpan.FromSeconds(30))).GetProperty("code").GetString()!);
        }

        // The default budget (20), plus its refill (one a second) while the answers came: not a thousand.
        Assert.InRange(codes.Count(c => c == "not_found"), 20, 200);
        Assert.Equal(1000, codes.Count(c => c is "not_found" or "rate_limited"));
    }

    [Theory]
    [InlineData("https://127.0.0.1:{port}")]
    [InlineData("http://127.0.0.1:{other}")]
    [InlineData("http://127.0.0.1:{port}/x")]
    [InlineData("http://u@127.0.0.1:{port}")]
    public async Task Probe_7_the_gateways_host_with_another_scheme_port_path_or_user_info_is_another_origin(string origin)
    {
        var created = await fixture.ClientWith(fixture.AdminToken).CreateAsync();
        var port = fixture.Gateway.Port;
        var url = fixture.Gateway.WebSocketUrl($"/api/workflows/{created.WorkflowId}/updates?access_token={fixture.Tokens.Create("workflows:read")}");

        var refused = await Assert.ThrowsAsync<UpgradeRefusedException>(() => RawWebSocket.ConnectAsync(url, headers: new Dictionary<string, string>
        {
            ["Origin"] = origin.Replace("{port}", $"{port}", StringComparison.Ordinal).Replace("{other}", $"{port + 1}", StringComparison.Ordinal),
        }));

        Assert.Equal(403, refused.StatusCode);
    }

    [Fact]
    public async Task Probe_8_a_query_token_does_not_beat_a_header_token_two_idempotency_keys_are_400_and_crit_is_refused()
    {
        var mine = await fixture.ClientWith(fixture.AdminToken).CreateAsync();
        var reader = fixture.Tokens.Create("workflows:read");
        var critical = fixture.Tokens.CreateWithHeader("workflows:read", new Dictionary<string, object> { ["crit"] = new[] { "x-ext" }, ["x-ext"] = 1 });

        await using var both = await TestSocket.ConnectAsync(fixture.Gateway.WebSocketUrl($"/api/workflows/{mine.WorkflowId}/updates?access_token={reader}"),
            configure: o => o.SetRequestHeader("Authorization", "Bearer " + fixture.Tokens.Create(workflows: ["wf_other"])));
        await using var crit = await TestSocket.ConnectAsync(fixture.Gateway.WebSocketUrl($"/api/workflows/{mine.WorkflowId}/updates?access_token={critical}"));
        using var critRest = await SendAsync(HttpMethod.Get, fixture.Api, $"api/workflows/{mine.WorkflowId}", critical);
        var twoKeys = await RawPostAsync(fixture.Api, fixture.Tokens.Create("workflows:write"), "Idempotency-Key: k1\r\nIdempotency-Key: k2\r\n");

        Assert.Equal(CloseReason.BadRequestTemplate.Code, await both.WaitClosedAsync());
        Assert.Equal(CloseReason.Unauthorized.Code, await crit.WaitClosedAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, critRest.StatusCode);
        Assert.StartsWith("HTTP/1.1 400", twoKeys, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Probe_9_the_page_may_not_be_framed_and_allows_only_its_own_scripts()
    {
        using var page = await fixture.Gateway.Http.GetAsync("/", Ct);

        var policy = string.Join(' ', page.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("frame-ancestors 'none'", policy, StringComparison.Ordinal);
        Assert.Contains("script-src 'self'", policy, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", policy, StringComparison.Ordinal);
        Assert.Equal("DENY", Assert.Single(page.Headers.GetValues("X-Frame-Options")));
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpMethod method, ServiceProcess service, string path, string token, string? json = null,
        (string Name, string Value)? header = null)
    {
        using var http = new HttpClient { BaseAddress = service.BaseUrl };
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        if (header is { } extra)
        {
            request.Headers.TryAddWithoutValidation(extra.Name, extra.Value);
        }

        return await http.SendAsync(request, Ct);
    }

    /// <summary>A create with raw header lines (HttpClient would fold two headers of a name into one line).</summary>
    private static async Task<string> RawPostAsync(ServiceProcess api, string token, string extraHeaders)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, api.Port, Ct);
        var stream = tcp.GetStream();
        const string Body = """{"name":"probe"}""";
        var request = $"POST /api/workflows HTTP/1.1\r\nHost: 127.0.0.1:{api.Port}\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\n"
            + $"Content-Length: {Encoding.UTF8.GetByteCount(Body)}\r\n{extraHeaders}Connection: close\r\n\r\n{Body}";
        await stream.WriteAsync(Encoding.UTF8.GetBytes(request), Ct);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return await reader.ReadToEndAsync(Ct);
    }
}
