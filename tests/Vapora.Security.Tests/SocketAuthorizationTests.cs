using System.Net.WebSockets;
using Vapora.Contracts;
using Vapora.Testing;

namespace Vapora.Security.Tests;

/// <summary>Authentication and authorization of both socket endpoints, and the Origin check.</summary>
public sealed class SocketAuthorizationTests(SecuredFixture fixture) : IClassFixture<SecuredFixture>
{
    private Uri Stream(string id, string? token = null) =>
        fixture.Gateway.WebSocketUrl($"/api/workflows/{id}/updates" + (token is null ? "" : $"?access_token={token}"));

    private Uri Multiplex(string? token = null) => fixture.Gateway.WebSocketUrl("/ws" + (token is null ? "" : $"?access_token={token}"));

    [Fact]
    public async Task A_socket_without_a_token_closes_with_4401_on_both_endpoints()
    {
        var created = await fixture.ClientWith(fixture.AdminToken).CreateAsync();
        await using var stream = await TestSocket.ConnectAsync(Stream(created.WorkflowId));
        await using var multiplex = await TestSocket.ConnectAsync(Multiplex());

        Assert.Equal(CloseReason.Unauthorized.Code, await stream.WaitClosedAsync());
        Assert.Equal(CloseReason.Unauthorized.Code, await multiplex.WaitClosedAsync());
        Assert.Contains("token is required", stream.CloseDescription, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("expired")]
    [InlineData("wrong signature")]
    [InlineData("wrong audience")]
    [InlineData("wrong issuer")]
    [InlineData("alg none")]
    [InlineData("tampered payload")]
    public async Task A_socket_with_a_bad_token_closes_with_4401(string kind)
    {
        var created = await fixture.ClientWith(fixture.AdminToken).CreateAsync();

        await using var socket = await TestSocket.ConnectAsync(Stream(created.WorkflowId, RestAuthorizationTests.BadToken(fixture.Tokens, kind)));

        Assert.Equal(CloseReason.Unauthorized.Code, await socket.WaitClosedAsync());
        if (kind == "expired")
        {
            Assert.Contains("expired", socket.CloseDescription, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_token_for_workflow_A_streams_A_and_gets_4403_for_B()
    {
        var a = await fixture.ClientWith(fixture.AdminToken).CreateAsync("A");
        var b = await fixture.ClientWith(fixture.AdminToken).CreateAsync("B");
        var onlyA = fixture.Tokens.Create(workflows: [a.WorkflowId]);

        await using var streamA = await TestSocket.ConnectAsync(Stream(a.WorkflowId, onlyA));
        await using var streamB = await TestSocket.ConnectAsync(Stream(b.WorkflowId, onlyA));

        Assert.Equal(1, (await streamA.NextJsonAsync()).GetProperty("version").GetInt64());
        Assert.Equal(CloseReason.Forbidden.Code, await streamB.WaitClosedAsync());
    }

    [Fact]
    public async Task On_the_multiplexed_socket_a_workflow_the_token_does_not_allow_gets_a_forbidden_error_and_the_rest_works()
    {
        var a = await fixture.ClientWith(fixture.AdminToken).CreateAsync("A");
        var b = await fixture.ClientWith(fixture.AdminToken).CreateAsync("B");
        await using var socket = await TestSocket.ConnectAsync(Multiplex(fixture.Tokens.Create(workflows: [a.WorkflowId])));

        await socket.SendAsync($$"""{"type":"subscribe","workflow_id":"{{b.WorkflowId}}"}""");
        var refused = await socket.NextJsonAsync();
        await socket.SendAsync($$"""{"type":"subscribe","workflow_id":"{{a.WorkflowId}}"}""");
        var subscribed = await socket.NextJsonAsync();

        Assert.Equal(("error", "forbidden", b.WorkflowId), (refused.GetProperty("type").GetString(), refused.GetProperty("code").GetString(), refused.GetProperty("workflow_id").GetString()));
        Assert.Equal("subscribed", subscribed.GetProperty("type").GetString());
    }

    [Fact]
    public async Task The_token_may_come_in_the_authorization_header()
    {
        var created = await fixture.ClientWith(fixture.AdminToken).CreateAsync();

        await using var socket = await TestSocket.ConnectAsync(Stream(created.WorkflowId),
            configure: o => o.SetRequestHeader("Authorization", "Bearer " + fixture.Tokens.Create("workflows:read")));

        Assert.Equal(1, (await socket.NextJsonAsync()).GetProperty("version").GetInt64());
    }

    [Fact]
    public async Task A_socket_is_closed_with_4401_when_its_token_expires()
    {
        var created = await fixture.ClientWith(fixture.AdminToken).CreateAsync();
        // exp has whole seconds and no clock skew is allowed: 6 s leaves at least 5 to connect on a busy machine.
        var shortLived = fixture.Tokens.Create("workflows:read", lifetime: TimeSpan.FromSeconds(6));
        await using var socket = await TestSocket.ConnectAsync(Stream(created.WorkflowId, shortLived));
        await socket.NextAsync();

        Assert.Equal(CloseReason.Unauthorized.Code, await socket.WaitClosedAsync(TimeSpan.FromSeconds(15)));
        Assert.Contains("expired", socket.CloseDescription, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_page_of_another_origin_gets_403_before_the_upgrade_and_the_gateways_own_origin_is_allowed()
    {
        var created = await fixture.ClientWith(fixture.AdminToken).CreateAsync();
        var url = Stream(created.WorkflowId, fixture.Tokens.Create("workflows:read"));

        var refused = await Assert.ThrowsAsync<UpgradeRefusedException>(() =>
            RawWebSocket.ConnectAsync(url, headers: new Dictionary<string, string> { ["Origin"] = "https://evil.example" }));
        await using var sameOrigin = await RawWebSocket.ConnectAsync(url, headers: new Dictionary<string, string> { ["Origin"] = $"http://127.0.0.1:{fixture.Gateway.Port}" });
        await using var noOrigin = await RawWebSocket.ConnectAsync(url);

        Assert.Equal(403, refused.StatusCode);
        Assert.Equal(RawWebSocket.Text, (await sameOrigin.ReadFrameAsync()).Opcode);
        Assert.Equal(RawWebSocket.Text, (await noOrigin.ReadFrameAsync()).Opcode);
    }

    [Fact]
    public async Task Configured_allowed_origins_replace_the_same_origin_rule()
    {
        await using var gateway = await fixture.StartGatewayAsync(new Dictionary<string, string?> { ["Gateway__AllowedOrigins__0"] = "https://app.example.com" });
        var created = await fixture.ClientWith(fixture.AdminToken).CreateAsync();
        var url = gateway.WebSocketUrl($"/api/workflows/{created.WorkflowId}/updates?access_token={fixture.Tokens.Create("workflows:read")}");

        await using var allowed = await RawWebSocket.ConnectAsync(url, headers: new Dictionary<string, string> { ["Origin"] = "https://app.example.com" });
        var refused = await Assert.ThrowsAsync<UpgradeRefusedException>(() =>
            RawWebSocket.ConnectAsync(url, headers: new Dictionary<string, string> { ["Origin"] = $"http://127.0.0.1:{gateway.Port}" }));

        Assert.Equal(RawWebSocket.Text, (await allowed.ReadFrameAsync()).Opcode);
        Assert.Equal(403, refused.StatusCode);
    }

    [Fact]
    public async Task A_multiplexed_connection_may_watch_no_more_than_its_subscription_limit()
    {
        await using var gateway = await fixture.StartGatewayAsync(new Dictionary<string, string?> { ["Gateway__MaxSubscriptionsPerConnection"] = "2" });
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add((await fixture.ClientWith(fixture.AdminToken).CreateAsync()).WorkflowId);
        }

        await using var socket = await TestSocket.ConnectAsync(gateway.WebSocketUrl("/ws?access_token=" + fixture.Tokens.Create("workflows:read")));
        foreach (var id in ids)
        {
            await socket.SendAsync($$"""{"type":"subscribe","workflow_id":"{{id}}","after":1}""");
        }

        var frames = new[] { await socket.NextJsonAsync(), await socket.NextJsonAsync(), await socket.NextJsonAsync() };
        Assert.Equal(2, frames.Count(f => f.GetProperty("type").GetString() == "subscribed"));
        var error = Assert.Single(frames, f => f.GetProperty("type").GetString() == "error");
        Assert.Equal("too_many_subscriptions", error.GetProperty("code").GetString());
        Assert.Equal(ids[2], error.GetProperty("workflow_id").GetString());
    }
}
