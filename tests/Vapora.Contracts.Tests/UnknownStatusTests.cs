using System.Text;
using System.Text.Json;
using Vapora.Contracts;

namespace Vapora.Contracts.Tests;

/// <summary>
/// Adding a status must not break older gateways and clients: a well-formed status name this version does not know
/// is read by its name, written back unchanged, not terminal, and nothing moves on from it; what the API accepts as
/// input stays strict.
/// </summary>
public sealed class UnknownStatusTests
{
    private const string Paused = """{"workflow_id":"wf_a","version":7,"status":"paused","current_step":3,"total_steps":10,"message":"waiting","timestamp":"2026-11-28T17:00:00.000Z"}""";

    [Fact]
    public void An_update_with_a_status_this_version_does_not_know_is_read_by_its_name_and_written_back_unchanged()
    {
        var update = JsonSerializer.Deserialize(Paused, VaporaJsonContext.Default.WorkflowUpdate)!;

        Assert.False(update.Status.IsKnown());
        Assert.Equal("paused", update.Status.ToWireName());
        Assert.False(update.Status.IsTerminal());
        Assert.Equal(Paused, JsonSerializer.Serialize(update, VaporaJsonContext.Default.WorkflowUpdate));
        // A gateway builds a new watcher's state from the head update: the name survives that too.
        var state = JsonSerializer.Serialize(WorkflowState.From(update, "build", DateTimeOffset.UnixEpoch), VaporaJsonContext.Default.WorkflowState);
        Assert.Contains("\"status\":\"paused\"", state, StringComparison.Ordinal);
    }

    [Fact]
    public void One_unknown_name_is_one_value_and_two_names_are_two()
    {
        Assert.True(WorkflowStatusRules.TryReadWireName("on_hold", out var first));
        Assert.True(WorkflowStatusRules.TryReadWireName("on_hold", out var again));
        Assert.True(WorkflowStatusRules.TryReadWireName("retrying2", out var other));

        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
        Assert.All(new[] { first, other }, s => Assert.DoesNotContain(s, Enum.GetValues<WorkflowStatus>()));
        Assert.True(WorkflowStatusRules.TryReadWireName("running", out var running));
        Assert.Equal(WorkflowStatus.Running, running);
    }

    [Fact]
    public void Nothing_moves_on_from_a_status_this_version_does_not_know()
    {
        Assert.True(WorkflowStatusRules.TryReadWireName("paused", out var paused));

        Assert.All(Enum.GetValues<WorkflowStatus>(), to => Assert.False(WorkflowStatusRules.CanMove(paused, to)));
    }

    [Theory]
    [InlineData("""{"workflow_id":"wf_a","version":1,"status":"Paused","current_step":0,"total_steps":1,"timestamp":"2026-11-28T17:00:00.000Z"}""")]
    [InlineData("""{"workflow_id":"wf_a","version":1,"status":"paused!","current_step":0,"total_steps":1,"timestamp":"2026-11-28T17:00:00.000Z"}""")]
    [InlineData("""{"workflow_id":"wf_a","version":1,"status":"","current_step":0,"total_steps":1,"timestamp":"2026-11-28T17:00:00.000Z"}""")]
    [InlineData("""{"workflow_id":"wf_a","version":1,"status":"_x","current_step":0,"total_steps":1,"timestamp":"2026-11-28T17:00:00.000Z"}""")]
    [InlineData("""{"workflow_id":"wf_a","version":1,"status":"abcdefghijklmnopqrstuvwxyz0123456","current_step":0,"total_steps":1,"timestamp":"2026-11-28T17:00:00.000Z"}""")]
    [InlineData("""{"workflow_id":"wf_a","version":1,"status":2,"current_step":0,"total_steps":1,"timestamp":"2026-11-28T17:00:00.000Z"}""")]
    public void A_status_that_is_not_a_lowercase_name_is_still_refused(string json)
    {
        Assert.ThrowsAny<JsonException>(() => JsonSerializer.Deserialize(json, VaporaJsonContext.Default.WorkflowUpdate));
        Assert.False(WorkflowUpdateHeader.TryRead(Encoding.UTF8.GetBytes(json), out _));
    }

    [Fact]
    public void A_gateway_reads_the_header_of_an_update_with_a_new_status_and_forwards_it()
    {
        Assert.True(WorkflowUpdateHeader.TryRead(Encoding.UTF8.GetBytes(Paused), out var header));

        Assert.Equal(("wf_a", 7L, "paused"), (header.WorkflowId, header.Version, header.Status.ToWireName()));
    }

    [Theory]
    [InlineData("""{"status":"paused"}""")]
    [InlineData("""{"status":"on_hold"}""")]
    public void The_api_accepts_only_statuses_this_version_knows(string json)
    {
        var error = Assert.ThrowsAny<JsonException>(() => JsonSerializer.Deserialize(json, VaporaJsonContext.Default.UpdateWorkflowRequest));
        Assert.Contains("pending, running, completed, failed, cancelled", error.Message, StringComparison.Ordinal);
        Assert.Equal(WorkflowStatus.Running, JsonSerializer.Deserialize("""{"status":"running"}""", VaporaJsonContext.Default.UpdateWorkflowRequest)!.Status);
    }
}
