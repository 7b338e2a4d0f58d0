using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.IdentityModel.Tokens;
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

    private static async Task<HttpResponseMessage> PostAsync(ServiceProcess api, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/workflows") { Content = new StringContent("""{"name":"jwks"}""", Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await api.Http.SendAsync(request, TestContext.Current.CancellationToken);
    }

    private static async Task<WebApplication> StartIssuerAsync(TokenFactory tokens)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
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
