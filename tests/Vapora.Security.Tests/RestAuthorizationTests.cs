using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Vapora.Testing;

namespace Vapora.Security.Tests;

/// <summary>Who may do what over REST, with real tokens against a real API process.</summary>
public sealed class RestAuthorizationTests(SecuredFixture fixture) : IClassFixture<SecuredFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Writes_need_a_token_with_the_write_scope()
    {
        using var anonymous = await SendAsync(HttpMethod.Post, "api/workflows", null, """{"name":"x"}""");
        using var readOnly = await SendAsync(HttpMethod.Post, "api/workflows", fixture.Tokens.Create("workflows:read"), """{"name":"x"}""");
        using var writer = await SendAsync(HttpMethod.Post, "api/workflows", fixture.Tokens.Create("workflows:write"), """{"name":"x"}""");

        await AssertProblemAsync(anonymous, HttpStatusCode.Unauthorized);
        await AssertProblemAsync(readOnly, HttpStatusCode.Forbidden);
        Assert.Equal(HttpStatusCode.Created, writer.StatusCode);
    }

    [Fact]
    public async Task A_token_for_workflow_A_reads_A_and_is_refused_B()
    {
        var a = await fixture.ClientWith(fixture.AdminToken).CreateAsync("A");
        var b = await fixture.ClientWith(fixture.AdminToken).CreateAsync("B");
        var onlyA = fixture.Tokens.Create(workflows: [a.WorkflowId]);

        using var readA = await SendAsync(HttpMethod.Get, $"api/workflows/{a.WorkflowId}", onlyA);
        using var historyA = await SendAsync(HttpMethod.Get, $"api/workflows/{a.WorkflowId}/history", onlyA);
        using var readB = await SendAsync(HttpMethod.Get, $"api/workflows/{b.WorkflowId}", onlyA);
        using var historyB = await SendAsync(HttpMethod.Get, $"api/workflows/{b.WorkflowId}/history", onlyA);
        using var list = await SendAsync(HttpMethod.Get, "api/workflows", onlyA);
        using var listAll = await SendAsync(HttpMethod.Get, "api/workflows", fixture.Tokens.Create("workflows:read"));

        Assert.Equal(HttpStatusCode.OK, readA.StatusCode);
        Assert.Equal(HttpStatusCode.OK, historyA.StatusCode);
        await AssertProblemAsync(readB, HttpStatusCode.Forbidden);
        await AssertProblemAsync(historyB, HttpStatusCode.Forbidden);
        await AssertProblemAsync(list, HttpStatusCode.Forbidden);
        Assert.Equal(HttpStatusCode.OK, listAll.StatusCode);
    }

    /// <summary>Tokens that must be refused, all signed (where signed at all) with the fixture's own key unless the case is about the key.</summary>
    internal static string BadToken(TokenFactory tokens, string kind) => kind switch
    {
        "expired" => tokens.Create("workflows:write workflows:read", lifetime: TimeSpan.FromMinutes(-1)),
        "not yet valid" => tokens.Create("workflows:write workflows:read", notBefore: DateTime.UtcNow.AddMinutes(10), lifetime: TimeSpan.FromMinutes(20)),
        "wrong signature" => tokens.Create("workflows:write workflows:read", secret: Convert.ToBase64String(new byte[48])),
        "wrong audience" => tokens.Create("workflows:write workflows:read", audience: "someone-else"),
        "wrong issuer" => tokens.Create("workflows:write workflows:read", issuer: "https://evil.example"),
        "alg none" => TokenFactory.CreateUnsigned("workflows:write workflows:read"),
        "RS256 from an unconfigured key" => tokens.CreateRs256("workflows:write workflows:read"),
        "tampered payload" => Tamper(tokens.Create("workflows:read")),
        "garbage" => "not-a-jwt",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    // Swaps the payload of a valid read-only token for one claiming the write scope, keeping the old signature.
    private static string Tamper(string token)
    {
        var parts = token.Split('.');
        var payload = Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Decode(parts[1]).Replace("workflows:read", "workflows:write workflows:read", StringComparison.Ordinal);
        return $"{parts[0]}.{Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Encode(payload)}.{parts[2]}";
    }

    [Theory]
    [InlineData("expired")]
    [InlineData("not yet valid")]
    [InlineData("wrong signature")]
    [InlineData("wrong audience")]
    [InlineData("wrong issuer")]
    [InlineData("alg none")]
    [InlineData("RS256 from an unconfigured key")]
    [InlineData("tampered payload")]
    [InlineData("garbage")]
    public async Task Bad_tokens_are_refused_for_reads_and_writes_and_store_nothing(string kind)
    {
        var token = BadToken(fixture.Tokens, kind);
        var created = await fixture.ClientWith(fixture.AdminToken).CreateAsync();
        var before = await fixture.ClientWith(fixture.AdminToken).HistoryAsync(created.WorkflowId);

        using var write = await SendAsync(HttpMethod.Patch, $"api/workflows/{created.WorkflowId}", token, """{"current_step":1}""");
        using var read = await SendAsync(HttpMethod.Get, $"api/workflows/{created.WorkflowId}", token);

        await AssertProblemAsync(write, HttpStatusCode.Unauthorized);
        await AssertProblemAsync(read, HttpStatusCode.Unauthorized);
        Assert.Equal(before, await fixture.ClientWith(fixture.AdminToken).HistoryAsync(created.WorkflowId));
    }

    [Fact]
    public async Task A_token_in_the_query_string_is_not_accepted_for_rest()
    {
        using var response = await SendAsync(HttpMethod.Get, $"api/workflows?access_token={fixture.AdminToken}", null);

        await AssertProblemAsync(response, HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Writes_over_the_per_client_rate_limit_get_429_with_retry_after_and_store_nothing()
    {
        await using var limited = await ServiceProcess.StartApiAsync(fixture.Redis.ConnectionString, new Dictionary<string, string?>(fixture.Tokens.ServiceSettings())
        {
            ["RateLimits__WritesPerSecond"] = "1",
            ["RateLimits__WriteBurst"] = "3",
        });
        var token = fixture.Tokens.Create("workflows:write workflows:read", subject: "busy-producer");
        using var http = new HttpClient { BaseAddress = limited.BaseUrl };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var client = new WorkflowApiClient(http);
        var created = await client.CreateAsync();

        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? rejected = null;
        for (var i = 0; i < 6; i++)
        {
            var response = await client.PatchAsync(created.WorkflowId, $$"""{"status":"running","current_step":{{i + 1}}}""");
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                rejected ??= response;
            }
        }

        Assert.Contains(HttpStatusCode.TooManyRequests, statuses);
        Assert.NotNull(rejected!.Headers.RetryAfter);
        await AssertProblemAsync(rejected, HttpStatusCode.TooManyRequests);
        Assert.Equal(1 + statuses.Count(s => s == HttpStatusCode.OK), (await client.HistoryAsync(created.WorkflowId)).Count);

        // Another client has its own bucket.
        var other = fixture.Tokens.Create("workflows:write", subject: "another-producer");
        using var otherHttp = new HttpClient { BaseAddress = limited.BaseUrl };
        otherHttp.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", other);
        using var accepted = await new WorkflowApiClient(otherHttp).PatchAsync(created.WorkflowId, """{"current_step":9}""");
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
    }

    [Fact]
    public async Task An_rs256_token_is_accepted_when_the_issuers_public_key_is_configured()
    {
        var settings = new Dictionary<string, string?>(fixture.Tokens.ServiceSettings())
        {
            ["Auth__Jwt__SigningKey"] = null,
            ["Auth__Jwt__PublicKeyPem"] = fixture.Tokens.PublicKeyPem,
        };
        await using var api = await ServiceProcess.StartApiAsync(fixture.Redis.ConnectionString, settings);
        using var http = new HttpClient { BaseAddress = api.BaseUrl };

        using var rs256 = await SendAsync(http, HttpMethod.Post, "api/workflows", fixture.Tokens.CreateRs256("workflows:write"), """{"name":"rs"}""");
        using var hs256 = await SendAsync(http, HttpMethod.Post, "api/workflows", fixture.Tokens.Create("workflows:write"), """{"name":"hs"}""");

        Assert.Equal(HttpStatusCode.Created, rs256.StatusCode);
        await AssertProblemAsync(hs256, HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_service_configured_for_jwt_without_a_key_refuses_to_start_with_a_clear_error()
    {
        var settings = new Dictionary<string, string?>(fixture.Tokens.ServiceSettings()) { ["Auth__Jwt__SigningKey"] = null };

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => ServiceProcess.StartApiAsync(fixture.Redis.ConnectionString, settings));

        Assert.Contains("no key is configured", error.Message, StringComparison.Ordinal);
    }

    private Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? token, string? body = null) =>
        SendAsync(fixture.Api.Http, method, path, token, body);

    private static Task<HttpResponseMessage> SendAsync(HttpClient http, HttpMethod method, string path, string? token, string? body = null)
    {
        var request = new HttpRequestMessage(method, path);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        return http.SendAsync(request, Ct);
    }

    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(expected == response.StatusCode, $"Expected {(int)expected}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(body);
        Assert.Equal((int)expected, problem.RootElement.GetProperty("status").GetInt32());
    }
}
