using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Vapora.Contracts;
using Vapora.Testing;

namespace Vapora.Security.Tests;

/// <summary>
/// Where a token may come from and which tokens are refused outright (issue 30, item 8): a token in the
/// <c>Authorization</c> header and another in <c>access_token</c> (or two in the query) is an ambiguous request, 400 or
/// 4400, never "the query wins"; a JWT whose header has <c>crit</c> is refused (RFC 7515 4.1.11: none is understood).
/// </summary>
public sealed class TokenPlacementTests(SecuredFixture fixture) : IClassFixture<SecuredFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_socket_with_a_token_in_the_header_and_another_in_the_query_closes_with_4400()
    {
        var created = await fixture.ClientWith(fixture.AdminToken).CreateAsync();
        var url = fixture.Gateway.WebSocketUrl($"/api/workflows/{created.WorkflowId}/updates?access_token={fixture.Tokens.Create("workflows:read")}");

        await using var socket = await TestSocket.ConnectAsync(url,
            configure: o => o.SetRequestHeader("Authorization", "Bearer " + fixture.Tokens.Create(workflows: ["wf_other"])));

        Assert.Equal(CloseReason.BadRequestTemplate.Code, await socket.WaitClosedAsync());
        Assert.Contains("one place", socket.CloseDescription, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_event_stream_with_a_token_in_both_places_or_two_in_the_query_is_400()
    {
        var created = await fixture.ClientWith(fixture.AdminToken).CreateAsync();
        var token = fixture.Tokens.Create("workflows:read");
        var url = new Uri(fixture.Gateway.BaseUrl, $"api/workflows/{created.WorkflowId}/events?access_token={token}");

        await using var both = CurlEventStream.Start(url, new Dictionary<string, string> { ["Authorization"] = "Bearer " + token });
        await using var twice = CurlEventStream.Start(new Uri(url + "&access_token=" + token));

        foreach (var curl in new[] { both, twice })
        {
            Assert.Equal(400, await curl.StatusAsync());
            await curl.EndedAsync();
            Assert.Equal(CloseReason.BadRequestTemplate.Code, JsonDocument.Parse(curl.Body).RootElement.GetProperty("close_code").GetInt32());
        }
    }

    [Fact]
    public async Task A_token_with_a_crit_header_is_refused_by_the_api_and_the_gateway()
    {
        var created = await fixture.ClientWith(fixture.AdminToken).CreateAsync();
        var critical = fixture.Tokens.CreateWithHeader("workflows:read", new Dictionary<string, object> { ["crit"] = new[] { "vapora-ext" }, ["vapora-ext"] = true });
        var plain = fixture.Tokens.CreateWithHeader("workflows:read", new Dictionary<string, object> { ["vapora-ext"] = true });

        using var refused = await GetAsync($"api/workflows/{created.WorkflowId}", critical);
        using var accepted = await GetAsync($"api/workflows/{created.WorkflowId}", plain);
        await using var socket = await TestSocket.ConnectAsync(fixture.Gateway.WebSocketUrl($"/api/workflows/{created.WorkflowId}/updates?access_token={critical}"));

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        Assert.Equal(CloseReason.Unauthorized.Code, await socket.WaitClosedAsync());
        Assert.Equal("invalid token", socket.CloseDescription);
    }

    private async Task<HttpResponseMessage> GetAsync(string path, string token)
    {
        using var http = new HttpClient { BaseAddress = fixture.Api.BaseUrl };
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await http.SendAsync(request, Ct);
    }
}
