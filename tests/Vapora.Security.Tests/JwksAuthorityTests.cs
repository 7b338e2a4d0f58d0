using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.IdentityModel.Tokens;
using Vapora.Contracts;
using Vapora.Testing;

namespace Vapora.Security.Tests;

/// <summary>Keys from an issuer's OpenID Connect discovery document and JWKS (a real HTTP server in the test).</summary>
public sealed class JwksAuthorityTests(SecuredFixture fixture) : IClassFixture<SecuredFixture>
{
    [Fact]
    public async Task Tokens_signed_with_a_key_published_in_the_authoritys_jwks_are_accepted()
    {
        await using var issuer = await StartIssuerAsync(fixture.Tokens);
        var settings = new Dictionary<string, string?>(fixture.Tokens.ServiceSettings())
        {
            ["Auth__Jwt__SigningKey"] = null,
            ["Auth__Jwt__Authority"] = issuer.Urls.First(),
            ["Auth__Jwt__RequireHttpsMetadata"] = "false",
        };
        await using var api = await ServiceProcess.StartApiAsync(fixture.Redis.ConnectionString, settings);

        using var viaJwks = await PostAsync(api, fixture.Tokens.CreateRs256("workflows:write", keyId: "key-1"));
        using var sharedSecret = await PostAsync(api, fixture.Tokens.Create("workflows:write"));

        Assert.Equal(HttpStatusCode.Created, viaJwks.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, sharedSecret.StatusCode);
    }

    [Fact]
    public async Task While_the_authority_is_unreachable_a_token_gets_try_again_later_everywhere_and_is_accepted_once_it_answers()
    {
        var port = TestPorts.GetFree();  // the authority's, nothing listens there yet
        var settings = new Dictionary<string, string?>(fixture.Tokens.ServiceSettings())
        {
            ["Auth__Jwt__SigningKey"] = null,
            ["Auth__Jwt__Authority"] = $"http://127.0.0.1:{port}",
            ["Auth__Jwt__RequireHttpsMetadata"] = "false",
        };
        await using var api = await ServiceProcess.StartApiAsync(fixture.Redis.ConnectionString, settings);
        await using var gateway = await ServiceProcess.StartGatewayAsync(fixture.Redis.ConnectionString, api.BaseUrl, Settings.Layer(settings,
            new Dictionary<string, string?> { ["Gateway__ApiAccessToken"] = fixture.Tokens.CreateRs256("workflows:read", keyId: "key-1") }));
        var token = fixture.Tokens.CreateRs256("workflows:write workflows:read", keyId: "key-1");

        // REST: 503 with Retry-After, not 401 (which tells a client its token is bad), and nothing is stored.
        using (var refused = await PostAsync(api, token))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(5), refused.Headers.RetryAfter?.Delta);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
            Assert.Contains("issuer", await refused.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        }

        // Sockets close with 1013 (resume after a backoff) and event streams get 503: clients retry instead of giving up.
        const string SomeWorkflow = "wf_01HZZZZZZZZZZZZZZZZZZZZZZZ";
        await using (var socket = await TestSocket.ConnectAsync(gateway.WebSocketUrl($"/api/workflows/{SomeWorkflow}/updates?access_token={token}")))
        {
            Assert.Equal(CloseReason.IssuerUnavailable.Code, await socket.WaitClosedAsync());
            Assert.Equal(CloseReason.IssuerUnavailable.Reason, socket.CloseDescription);
            Assert.True(CloseReason.ShouldResume(CloseReason.IssuerUnavailable.Code));
        }

        await using (var curl = CurlEventStream.Start(new Uri(gateway.BaseUrl, $"api/workflows/{SomeWorkflow}/events?access_token={token}")))
        {
            Assert.Equal(503, await curl.StatusAsync());
            Assert.Equal("5", curl.Headers["retry-after"]);
            await curl.EndedAsync();
            Assert.Equal(CloseReason.IssuerUnavailable.Code, JsonDocument.Parse(curl.Body).RootElement.GetProperty("close_code").GetInt32());
        }

        // Without a token it is still "unauthorized": there is nothing to check.
        await using (var anonymous = await TestSocket.ConnectAsync(gateway.WebSocketUrl($"/api/workflows/{SomeWorkflow}/updates")))
        {
            Assert.Equal(CloseReason.Unauthorized.Code, await anonymous.WaitClosedAsync());
        }

        // The authority comes up: the same token is accepted, with no restart, and the refused write left nothing behind.
        await using (var issuer = await StartIssuerAsync(fixture.Tokens, port))
        {
            using var created = await Poll.ForAsync(() => PostAsync(api, token), r => r.StatusCode == HttpStatusCode.Created,
                TimeSpan.FromSeconds(30), "the api to accept the token once the authority answers");
            var id = JsonDocument.Parse(await created.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).RootElement.GetProperty("workflow_id").GetString();
            using var list = new HttpRequestMessage(HttpMethod.Get, "api/workflows");
            list.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var listed = await api.Http.SendAsync(list, TestContext.Current.CancellationToken);
            var page = await listed.Content.ReadFromJsonAsync<WorkflowPage>(TestContext.Current.CancellationToken);
            Assert.Equal([id], page!.Items.Select(w => w.WorkflowId));
            await using var socket = await TestSocket.ConnectAsync(gateway.WebSocketUrl($"/api/workflows/{id}/updates?access_token={token}"));
            Assert.Equal(1, (await socket.NextJsonAsync()).GetProperty("version").GetInt64());
        }

        // Keys once fetched are kept while the authority is down again.
        using var afterOutage = await PostAsync(api, token);
        Assert.Equal(HttpStatusCode.Created, afterOutage.StatusCode);
    }

    private static async Task<HttpResponseMessage> PostAsync(ServiceProcess api, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/workflows") { Content = new StringContent("""{"name":"jwks"}""", Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await api.Http.SendAsync(request, TestContext.Current.CancellationToken);
    }

    private static async Task<WebApplication> StartIssuerAsync(TokenFactory tokens, int port = 0)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        var app = builder.Build();
        var jwk = JsonWebKeyConverter.ConvertFromRSASecurityKey(new RsaSecurityKey(tokens.Rsa.ExportParameters(false)) { KeyId = "key-1" });
        var jwks = $$"""{"keys":[{"kty":"RSA","use":"sig","alg":"RS256","kid":"key-1","n":"{{jwk.N}}","e":"{{jwk.E}}"}]}""";
        app.MapGet("/.well-known/openid-configuration", (HttpContext http) => Results.Text(
            $$"""{"issuer":"{{TokenFactory.Issuer}}","jwks_uri":"{{http.Request.Scheme}}://{{http.Request.Host}}/jwks","id_token_signing_alg_values_supported":["RS256"]}""",
            "application/json"));
        app.MapGet("/jwks", () => Results.Text(jwks, "application/json"));
        await app.StartAsync();
        return app;
    }
}
