using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Vapora.Contracts;
using Vapora.Testing;

namespace Vapora.RealtimeGateway.Tests;

/// <summary>Both socket protocols, and how bad input of every kind is answered.</summary>
public sealed class ProtocolTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("wf_does_not_exist", "", 4404)]
    [InlineData("bad*id", "", 4400)]
    [InlineData("wf_x", "?after=abc", 4400)]
    [InlineData("wf_x", "?after=-1", 4400)]
    [InlineData("wf_x", "?after=1&after=2", 4400)]
    public async Task A_stream_that_cannot_be_served_closes_with_a_give_up_code(string id, string query, int expected)
    {
        await using var socket = await TestSocket.ConnectAsync(fixture.Gateway.WebSocketUrl($"/api/workflows/{id}/updates{query}"));

        Assert.Equal(expected, await socket.WaitClosedAsync());
        Assert.False(string.IsNullOrEmpty(socket.CloseDescription));
    }

    [Fact]
    public async Task A_plain_http_get_of_a_socket_endpoint_gets_426_problem_details()
    {
        using var response = await fixture.Gateway.Http.GetAsync("api/workflows/wf_x/updates", Ct);
        using var ws = await fixture.Gateway.Http.GetAsync("ws", Ct);

        Assert.Equal((HttpStatusCode)426, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal((HttpStatusCode)426, ws.StatusCode);
    }

    [Theory]
    [InlineData("POST", "api/workflows/wf_x/updates")]
    [InlineData("DELETE", "ws")]
    public async Task Another_method_on_a_socket_endpoint_gets_405_problem_details_naming_get(string method, string path)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);

        using var response = await fixture.Gateway.Http.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(["GET"], response.Content.Headers.Allow);
    }

    [Fact]
    public async Task An_application_ping_gets_a_pong_and_other_text_closes_the_stream()
    {
        var created = await fixture.Client.CreateAsync();
        await using var socket = await fixture.Gateway.WatchAsync(created.WorkflowId);
        await socket.NextAsync();

        await socket.SendAsync("""{"type":"ping"}""");
        Assert.Equal("""{"type":"pong"}""", await socket.NextAsync());
        await socket.SendAsync("ping");
        Assert.Equal("""{"type":"pong"}""", await socket.NextAsync());
        await socket.SendAsync("""{"type":"subscribe"}""");

        Assert.Equal(CloseReason.BadRequestTemplate.Code, await socket.WaitClosedAsync());
    }

    [Fact]
    public async Task Protocol_pings_are_answered_with_a_pong_carrying_the_same_payload()
    {
        var created = await fixture.Client.CreateAsync();
        await using var socket = await RawWebSocket.ConnectAsync(fixture.Gateway.WebSocketUrl($"/api/workflows/{created.WorkflowId}/updates"));
        var state = await socket.ReadFrameAsync();

        await socket.SendFrameAsync(RawWebSocket.Ping, "are you there"u8.ToArray());
        var pong = await socket.ReadFrameAsync();

        Assert.Equal(RawWebSocket.Text, state.Opcode);
        Assert.Equal(RawWebSocket.Pong, pong.Opcode);
        Assert.Equal("are you there", Encoding.UTF8.GetString(pong.Payload));
    }

    [Fact]
    public async Task A_binary_frame_closes_with_unsupported_data()
    {
        var created = await fixture.Client.CreateAsync();
        await using var socket = await fixture.Gateway.WatchAsync(created.WorkflowId);
        await socket.NextAsync();

        await socket.SendBytesAsync([1, 2, 3], WebSocketMessageType.Binary);

        Assert.Equal((int)WebSocketCloseStatus.InvalidMessageType, await socket.WaitClosedAsync());
    }

    [Fact]
    public async Task An_inbound_message_above_64_KiB_closes_with_1009()
    {
        await using var socket = await TestSocket.ConnectAsync(fixture.Gateway.WebSocketUrl("/ws"));

        await socket.SendAsync(new string(' ', 64 * 1024 + 1));

        Assert.Equal(CloseReason.MessageTooBigTemplate.Code, await socket.WaitClosedAsync());
    }

    [Fact]
    public async Task The_multiplexed_socket_subscribes_to_several_workflows_and_unsubscribes()
    {
        var a = await fixture.Client.CreateAsync("A");
        var b = await fixture.Client.CreateAsync("B");
        await fixture.Client.ProgressAsync(b.WorkflowId, 1);
        await using var socket = await TestSocket.ConnectAsync(fixture.Gateway.WebSocketUrl("/ws"));

        await socket.SendAsync($$"""{"type":"subscribe","workflow_id":"{{a.WorkflowId}}"}""");
        var subscribedA = await socket.NextJsonAsync();
        var stateA = await socket.NextJsonAsync();
        await socket.SendAsync($$"""{"type":"subscribe","workflow_id":"{{b.WorkflowId}}","after":0}""");
        var subscribedB = await socket.NextJsonAsync();
        var historyB = new[] { await socket.NextJsonAsync(), await socket.NextJsonAsync() };

        Assert.Equal(("subscribed", a.WorkflowId), (subscribedA.GetProperty("type").GetString(), subscribedA.GetProperty("workflow_id").GetString()));
        Assert.Equal(("update", "A", 1L), (stateA.GetProperty("type").GetString(), stateA.UpdateOf().GetProperty("name").GetString(), stateA.UpdateOf().GetProperty("version").GetInt64()));
        Assert.Equal("subscribed", subscribedB.GetProperty("type").GetString());
        Assert.Equal([1L, 2], historyB.Select(f => f.UpdateOf().GetProperty("version").GetInt64()));

        await socket.SendAsync($$"""{"type":"unsubscribe","workflow_id":"{{a.WorkflowId}}"}""");
        Assert.Equal("unsubscribed", (await socket.NextJsonAsync()).GetProperty("type").GetString());
        await fixture.Client.ProgressAsync(a.WorkflowId, 1);
        await fixture.Client.ProgressAsync(b.WorkflowId, 2);
        var next = await socket.NextJsonAsync();

        Assert.Equal(b.WorkflowId, next.UpdateOf().GetProperty("workflow_id").GetString());
        Assert.Equal(3, next.UpdateOf().GetProperty("version").GetInt64());
    }

    [Theory]
    [InlineData("not json", "bad_frame")]
    [InlineData("""{"type":"dance"}""", "bad_frame")]
    [InlineData("""{"type":"subscribe"}""", "bad_frame")]
    [InlineData("""{"type":"subscribe","workflow_id":"bad*"}""", "bad_frame")]
    [InlineData("""{"type":"subscribe","workflow_id":"wf_x","after":-5}""", "bad_frame")]
    [InlineData("""{"type":"subscribe","workflow_id":"wf_x","after":"1"}""", "bad_frame")]
    [InlineData("""{"type":"subscribe","workflow_id":"wf_x","extra":true}""", "bad_frame")]
    [InlineData("""{"type":"subscribe","workflow_id":"wf_missing"}""", "not_found")]
    [InlineData("""{"type":"unsubscribe","workflow_id":"wf_never"}""", "bad_frame")]
    [InlineData("[]", "bad_frame")]
    public async Task A_bad_multiplexed_frame_gets_an_error_frame_and_the_socket_stays_open(string frame, string code)
    {
        await using var socket = await TestSocket.ConnectAsync(fixture.Gateway.WebSocketUrl("/ws"));

        await socket.SendAsync(frame);
        var error = await socket.NextJsonAsync();
        await socket.SendAsync("""{"type":"ping"}""");

        Assert.Equal("error", error.GetProperty("type").GetString());
        Assert.Equal(code, error.GetProperty("code").GetString());
        Assert.False(string.IsNullOrEmpty(error.GetProperty("message").GetString()));
        Assert.Equal("pong", (await socket.NextJsonAsync()).GetProperty("type").GetString());
    }

    [Fact]
    public async Task Subscribing_twice_to_one_workflow_is_an_error_and_keeps_the_first_subscription()
    {
        var created = await fixture.Client.CreateAsync();
        await using var socket = await TestSocket.ConnectAsync(fixture.Gateway.WebSocketUrl("/ws"));
        var subscribe = $$"""{"type":"subscribe","workflow_id":"{{created.WorkflowId}}"}""";

        await socket.SendAsync(subscribe);
        await socket.NextAsync();
        await socket.NextAsync();
        await socket.SendAsync(subscribe);
        var error = await socket.NextJsonAsync();
        await fixture.Client.ProgressAsync(created.WorkflowId, 1);

        Assert.Equal("error", error.GetProperty("type").GetString());
        Assert.Equal(2, (await socket.NextJsonAsync()).UpdateOf().GetProperty("version").GetInt64());
    }

    [Fact]
    public async Task Garbage_on_a_workflow_channel_is_dropped_and_counted_and_valid_updates_still_arrive()
    {
        await using var gateway = await fixture.StartGatewayAsync();
        var created = await fixture.Client.CreateAsync();
        await using var socket = await gateway.WatchAsync(created.WorkflowId);
        await socket.NextAsync();
        var redis = await fixture.Redis.AdminAsync();
        var channel = StackExchange.Redis.RedisChannel.Literal(WorkflowChannels.NameFor(created.WorkflowId));

        foreach (var garbage in new[] { "", "not json", "{}", "[1]", "{\"workflow_id\":\"other\",\"version\":2,\"status\":\"running\"}", new string('x', 100_000), "\u0000\u0001" })
        {
            await redis.GetSubscriber().PublishAsync(channel, garbage);
        }

        await redis.GetSubscriber().PublishAsync(channel, Encoding.UTF8.GetBytes("{\"workflow_id\":\"" + created.WorkflowId + "\",\"version\":1,\"status\":\"pending\"}"));
        await fixture.Client.ProgressAsync(created.WorkflowId, 1);

        var update = JsonSerializer.Deserialize(await socket.NextAsync(), VaporaJsonContext.Default.WorkflowUpdate)!;
        Assert.Equal(2, update.Version);
        var metrics = await Poll.ForAsync(gateway.MetricsAsync, m => m.Value("vapora_gateway_messages_dropped_total", "reason=\"malformed\"") >= 6,
            TimeSpan.FromSeconds(10), "malformed messages to be counted");
        Assert.True(metrics.Value("vapora_gateway_messages_dropped_total") >= 7);
    }
}
