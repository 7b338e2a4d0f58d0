using System.Text.Json;
using Vapora.Contracts;
using Vapora.Testing;

namespace Vapora.Security.Tests;

/// <summary>
/// A connection is admitted for what its token may read, and no subject or address holds more than its share (issue 30,
/// item 1): a token that may read nothing gets 4403 (socket) or 403 (event stream) and holds no slot; connections per
/// subject and per client address are capped (1013 / 503 beyond, so one token cannot use up the gateway); a socket with
/// no subscription and an event stream left with nothing to read are closed.
/// </summary>
public sealed class AdmissionByGrantTests(SecuredFixture fixture) : IClassFixture<SecuredFixture>
{
    private const string Rejected = "vapora_gateway_inbound_rejected_total";

    [Fact]
    public async Task A_token_that_may_read_nothing_is_refused_on_every_route_and_counted()
    {
        var created = await fixture.ClientWith(fixture.AdminToken).CreateAsync();
        var before = (await fixture.Gateway.MetricsAsync()).Value(Rejected, "reason=\"reads_nothing\"");
        var nothing = fixture.Tokens.Create(subject: "reads-nothing");
        var writeOnly = fixture.Tokens.Create("workflows:write", subject: "writes-only");

        foreach (var token in new[] { nothing, writeOnly })
        {
            await using var multiplex = await TestSocket.ConnectAsync(fixture.Gateway.WebSocketUrl($"/ws?access_token={token}"));
            await using var stream = await TestSocket.ConnectAsync(fixture.Gateway.WebSocketUrl($"/api/workflows/{created.WorkflowId}/updates?access_token={token}"));
            await using var events = CurlEventStream.Start(new Uri(fixture.Gateway.BaseUrl, $"events?workflows={created.WorkflowId}&access_token={token}"));

            Assert.Equal(CloseReason.Forbidden.Code, await multiplex.WaitClosedAsync());
            Assert.Equal(CloseReason.ReadsNothing.Reason, multiplex.CloseDescription);
            Assert.Equal(CloseReason.Forbidden.Code, await stream.WaitClosedAsync());
            Assert.Equal(403, await events.StatusAsync());
            await events.EndedAsync();
            Assert.Equal(CloseReason.ReadsNothing.Reason, JsonDocument.Parse(events.Body).RootElement.GetProperty("detail").GetString());
        }

        // Polled: the metrics endpoint may answer from its scrape cache for a moment.
        await Poll.UntilAsync(async () => (await fixture.Gateway.MetricsAsync()).Value(Rejected, "reason=\"reads_nothing\"") == before + 6,
            TimeSpan.FromSeconds(10), "the six refusals to be counted");
    }

    [Fact]
    public async Task One_subject_holds_no_more_connections_than_its_cap_and_others_still_connect()
    {
        await using var gateway = await fixture.StartGatewayAsync(new Dictionary<string, string?> { ["Gateway__MaxConnectionsPerSubject"] = "2" });
        var heavy = fixture.Tokens.Create("workflows:read", subject: "heavy");
        var url = gateway.WebSocketUrl($"/ws?access_token={heavy}");
        await using var first = await OpenLiveAsync(url);
        await using var second = await OpenLiveAsync(url);

        await using var third = await TestSocket.ConnectAsync(url);
        Assert.Equal(CloseReason.TryAgainLater.Code, await third.WaitClosedAsync());
        Assert.Equal(CloseReason.SubjectAtLimit.Reason, third.CloseDescription);
        await using var other = await OpenLiveAsync(gateway.WebSocketUrl($"/ws?access_token={fixture.Tokens.Create("workflows:read", subject: "light")}"));
        var created = await fixture.ClientWith(fixture.AdminToken).CreateAsync();
        await using var events = CurlEventStream.Start(new Uri(gateway.BaseUrl, $"events?workflows={created.WorkflowId}&access_token={heavy}"));
        Assert.Equal(503, await events.StatusAsync());

        // A closed connection gives its slot back.
        await first.CloseAsync();
        await Poll.UntilAsync(async () => (await gateway.MetricsAsync()).Value("vapora_gateway_connections") == 2, TimeSpan.FromSeconds(10), "the closed socket's slot given back");
        await using var again = await OpenLiveAsync(url);
        await Poll.UntilAsync(async () => (await gateway.MetricsAsync()).Value(Rejected, "reason=\"subject_limit\"") == 2, TimeSpan.FromSeconds(10), "the refusals to be counted");
    }

    [Fact]
    public async Task One_client_address_holds_no_more_connections_than_its_cap()
    {
        await using var gateway = await fixture.StartGatewayAsync(new Dictionary<string, string?> { ["Gateway__MaxConnectionsPerAddress"] = "2" });
        Uri Url(string subject) => gateway.WebSocketUrl($"/ws?access_token={fixture.Tokens.Create("workflows:read", subject: subject)}");
        await using var first = await OpenLiveAsync(Url("a"));
        await using var second = await OpenLiveAsync(Url("b"));

        await using var third = await TestSocket.ConnectAsync(Url("c"));

        Assert.Equal(CloseReason.TryAgainLater.Code, await third.WaitClosedAsync());
        Assert.Equal(CloseReason.AddressAtLimit.Reason, third.CloseDescription);
        await Poll.UntilAsync(async () => (await gateway.MetricsAsync()).Value(Rejected, "reason=\"address_limit\"") == 1, TimeSpan.FromSeconds(10), "the refusals to be counted");
    }

    [Fact]
    public async Task A_socket_without_a_subscription_is_closed_after_the_idle_timeout_and_a_watching_one_stays()
    {
        await using var gateway = await fixture.StartGatewayAsync(new Dictionary<string, string?> { ["Gateway__IdleConnectionTimeout"] = "00:00:03" });
        var created = await fixture.ClientWith(fixture.AdminToken).CreateAsync();
        var url = gateway.WebSocketUrl($"/ws?access_token={fixture.Tokens.Create("workflows:read")}");
        await using var watching = await TestSocket.ConnectAsync(url);
        await watching.SendAsync($$"""{"type":"subscribe","workflow_id":"{{created.WorkflowId}}"}""");
        Assert.Equal("subscribed", (await watching.NextJsonAsync()).GetProperty("type").GetString());

        await using var idle = await TestSocket.ConnectAsync(url);

        Assert.Equal(CloseReason.Idle.Code, await idle.WaitClosedAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(CloseReason.Idle.Reason, idle.CloseDescription);
        await watching.SendAsync("""{"type":"ping"}""");
        Assert.Equal("update", (await watching.NextJsonAsync()).GetProperty("type").GetString());
        Assert.Equal("pong", (await watching.NextJsonAsync()).GetProperty("type").GetString());
    }

    [Fact]
    public async Task A_multiplexed_event_stream_of_only_forbidden_workflows_is_403_and_one_left_with_nothing_ends()
    {
        var mine = await fixture.ClientWith(fixture.AdminToken).CreateAsync();
        var theirs = await fixture.ClientWith(fixture.AdminToken).CreateAsync();
        var onlyMine = fixture.Tokens.Create(workflows: [mine.WorkflowId]);

        await using var forbidden = CurlEventStream.Start(new Uri(fixture.Gateway.BaseUrl, $"events?workflows={theirs.WorkflowId}&access_token={onlyMine}"));
        await using var unknown = CurlEventStream.Start(new Uri(fixture.Gateway.BaseUrl, $"events?workflows=wf_01JUNKNOWN0000000000000000&access_token={fixture.Tokens.Create("workflows:read")}"));

        Assert.Equal(403, await forbidden.StatusAsync());
        Assert.Equal(200, await unknown.StatusAsync());
        // The close may overtake the workflow's own error event (a close drops what is still queued); it says it all.
        var close = await unknown.Events.NextEventAsync();
        close = close.Type == "workflow_error" ? await unknown.Events.NextEventAsync() : close;
        Assert.Equal("close", close.Type);
        Assert.Equal(CloseReason.NothingToWatch.Code, JsonDocument.Parse(close.Data).RootElement.GetProperty("code").GetInt32());
        await unknown.EndedAsync();
    }

    private static async Task<TestSocket> OpenLiveAsync(Uri url)
    {
        var socket = await TestSocket.ConnectAsync(url);
        await socket.SendAsync("""{"type":"ping"}""");
        Assert.Equal("pong", (await socket.NextJsonAsync()).GetProperty("type").GetString());
        return socket;
    }
}
