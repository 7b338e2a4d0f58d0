using System.Text.Json;
using Vapora.Testing;

namespace Vapora.RealtimeGateway.Tests;

/// <summary>
/// A client ahead of the store (it resumes after a version the workflow never had, as after a restore from backup)
/// is not refused: every transport sends the current state marked <c>"reset":true</c> and goes on live from its version.
/// </summary>
public sealed class ResetTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    [Fact]
    public async Task A_socket_resuming_after_a_version_the_workflow_never_had_gets_the_state_marked_reset_then_live_updates()
    {
        var created = await AtVersion(3);

        await using var socket = await fixture.Gateway.WatchAsync(created, after: 50);
        var reset = await socket.NextJsonAsync();
        await fixture.Client.ProgressAsync(created, 9);
        var live = await socket.NextJsonAsync();

        AssertReset(reset, created, version: 3);
        Assert.Equal(4, live.GetProperty("version").GetInt64());
        Assert.False(live.TryGetProperty("reset", out _));
    }

    [Fact]
    public async Task A_multiplexed_socket_gets_the_reset_state_in_its_update_frame_after_subscribed()
    {
        var created = await AtVersion(2);
        await using var socket = await TestSocket.ConnectAsync(fixture.Gateway.WebSocketUrl("/ws"));

        await socket.SendAsync($$"""{"type":"subscribe","workflow_id":"{{created}}","after":7}""");
        var subscribed = await socket.NextJsonAsync();
        var reset = await socket.NextJsonAsync();
        await fixture.Client.ProgressAsync(created, 9);
        var live = await socket.NextJsonAsync();

        Assert.Equal("subscribed", subscribed.GetProperty("type").GetString());
        Assert.Equal("update", reset.GetProperty("type").GetString());
        AssertReset(reset.GetProperty("data"), created, version: 2);
        Assert.Equal(3, live.GetProperty("data").GetProperty("version").GetInt64());
    }

    [Fact]
    public async Task An_event_stream_resuming_beyond_the_latest_version_streams_the_reset_state_with_its_version_as_id()
    {
        var created = await AtVersion(2);

        await using var curl = CurlEventStream.Start(new Uri(fixture.Gateway.BaseUrl, $"api/workflows/{created}/events?after=40"));
        Assert.Equal(200, await curl.StatusAsync());
        var reset = (await curl.Events.NextUpdatesAsync(1))[0];
        await fixture.Client.ProgressAsync(created, 9);
        var live = (await curl.Events.NextUpdatesAsync(1))[0];

        Assert.Equal("2", reset.Id);
        AssertReset(JsonDocument.Parse(reset.Data).RootElement, created, version: 2);
        Assert.Equal("3", live.Id);
    }

    [Fact]
    public async Task A_multiplexed_event_stream_resets_only_the_workflow_it_is_ahead_of_and_its_cursor_moves_back_to_the_state()
    {
        var (ahead, fine) = (await AtVersion(2), await AtVersion(3));

        await using var curl = CurlEventStream.Start(new Uri(fixture.Gateway.BaseUrl, $"events?workflows={ahead}:30,{fine}:1"));
        Assert.Equal(200, await curl.StatusAsync());
        var events = await curl.Events.NextUpdatesAsync(3);

        var data = events.Select(e => JsonDocument.Parse(e.Data).RootElement).ToList();
        AssertReset(Assert.Single(data, d => d.GetProperty("workflow_id").GetString() == ahead), ahead, version: 2);
        Assert.Equal([2L, 3], data.Where(d => d.GetProperty("workflow_id").GetString() == fine).Select(d => d.GetProperty("version").GetInt64()));
        Assert.All(data.Where(d => d.GetProperty("workflow_id").GetString() == fine), d => Assert.False(d.TryGetProperty("reset", out _)));
        Assert.EndsWith(":2,3", curl.Events.LastEventId, StringComparison.Ordinal);
    }

    /// <summary>A new workflow at <paramref name="version"/>.</summary>
    private async Task<string> AtVersion(int version)
    {
        var created = await fixture.Client.CreateAsync(totalSteps: 10);
        for (var step = 1; step < version; step++)
        {
            await fixture.Client.ProgressAsync(created.WorkflowId, step);
        }

        return created.WorkflowId;
    }

    internal static void AssertReset(JsonElement state, string workflowId, long version)
    {
        Assert.Equal(workflowId, state.GetProperty("workflow_id").GetString());
        Assert.Equal(version, state.GetProperty("version").GetInt64());
        Assert.True(state.GetProperty("reset").GetBoolean());
        // It is the state: the fields fixed at creation come with it.
        Assert.Equal("test workflow", state.GetProperty("name").GetString());
        Assert.True(state.TryGetProperty("created_at", out _));
    }
}
