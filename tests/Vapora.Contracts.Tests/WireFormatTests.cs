using System.Text;
using System.Text.Json;
using Vapora.Contracts;
using Vapora.Contracts.Protocol;

namespace Vapora.Contracts.Tests;

public sealed class WireFormatTests
{
    private static readonly WorkflowUpdate Sample = new()
    {
        WorkflowId = "wf_01J0000000000000000000000",
        Version = 7,
        Status = WorkflowStatus.Running,
        CurrentStep = 3,
        TotalSteps = 10,
        Message = "Building images",
        Timestamp = new DateTimeOffset(2026, 11, 28, 17, 0, 0, TimeSpan.Zero),
    };

    [Fact]
    public void An_update_serializes_to_the_documented_snake_case_json()
    {
        var json = JsonSerializer.Serialize(Sample, VaporaJsonContext.Default.WorkflowUpdate);

        Assert.Equal(
            """{"workflow_id":"wf_01J0000000000000000000000","version":7,"status":"running","current_step":3,"total_steps":10,"message":"Building images","timestamp":"2026-11-28T17:00:00.000Z"}""",
            json);
    }

    [Fact]
    public void A_state_is_the_update_fields_then_name_and_created_at()
    {
        var state = WorkflowState.From(Sample, "deploy", new DateTimeOffset(2026, 11, 28, 16, 59, 0, 123, TimeSpan.Zero));

        var json = JsonSerializer.Serialize(state, VaporaJsonContext.Default.WorkflowState);

        Assert.EndsWith("""
            "timestamp":"2026-11-28T17:00:00.000Z","name":"deploy","created_at":"2026-11-28T16:59:00.123Z"}
            """, json, StringComparison.Ordinal);
        Assert.StartsWith("""{"workflow_id":"wf_01J0000000000000000000000","version":7,""", json, StringComparison.Ordinal);
    }

    [Fact]
    public void A_reset_state_says_so_last_and_any_other_state_has_no_reset_field_at_all()
    {
        var state = WorkflowState.From(Sample, "deploy", new DateTimeOffset(2026, 11, 28, 16, 59, 0, TimeSpan.Zero));

        var reset = JsonSerializer.Serialize(state with { Reset = true }, VaporaJsonContext.Default.WorkflowState);
        var plain = JsonSerializer.Serialize(state, VaporaJsonContext.Default.WorkflowState);

        Assert.EndsWith(""","created_at":"2026-11-28T16:59:00.000Z","reset":true}""", reset, StringComparison.Ordinal);
        Assert.DoesNotContain("reset", plain, StringComparison.Ordinal);
        Assert.True(JsonSerializer.Deserialize(reset, VaporaJsonContext.Default.WorkflowState)!.Reset);
        Assert.False(JsonSerializer.Deserialize(plain, VaporaJsonContext.Default.WorkflowState)!.Reset);
    }

    [Theory]
    [InlineData(WorkflowStatus.Pending, "pending")]
    [InlineData(WorkflowStatus.Running, "running")]
    [InlineData(WorkflowStatus.Completed, "completed")]
    [InlineData(WorkflowStatus.Failed, "failed")]
    [InlineData(WorkflowStatus.Cancelled, "cancelled")]
    public void Statuses_use_their_lowercase_wire_names(WorkflowStatus status, string name)
    {
        Assert.Equal(name, status.ToWireName());
        Assert.True(WorkflowStatusRules.TryParseWireName(name, out var parsed));
        Assert.Equal(status, parsed);
    }

    [Theory]
    [InlineData("""{"status":1}""")]
    [InlineData("""{"status":"Running"}""")]
    [InlineData("""{"status":"done"}""")]
    [InlineData("""{"status":null,"extra":1}""")]
    public void Numbers_other_spellings_and_unknown_fields_are_rejected(string json)
    {
        Assert.ThrowsAny<JsonException>(() => JsonSerializer.Deserialize(json, VaporaJsonContext.Default.UpdateWorkflowRequest));
    }

    [Fact]
    public void Duplicate_fields_are_rejected()
    {
        Assert.ThrowsAny<JsonException>(() =>
            JsonSerializer.Deserialize("""{"current_step":1,"current_step":2}""", VaporaJsonContext.Default.UpdateWorkflowRequest));
    }

    [Fact]
    public void Timestamps_are_read_back_as_utc()
    {
        var json = JsonSerializer.Serialize(Sample, VaporaJsonContext.Default.WorkflowUpdate);

        var read = JsonSerializer.Deserialize(json, VaporaJsonContext.Default.WorkflowUpdate)!;

        Assert.Equal(Sample, read);
        Assert.Equal(TimeSpan.Zero, read.Timestamp.Offset);
    }

    [Fact]
    public void The_update_envelope_wraps_the_bytes_unchanged()
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(Sample, VaporaJsonContext.Default.WorkflowUpdate);

        var frame = Encoding.UTF8.GetString(UpdateEnvelope.Wrap(json));

        Assert.Equal("{\"type\":\"update\",\"data\":" + Encoding.UTF8.GetString(json) + "}", frame);
        using var parsed = JsonDocument.Parse(frame);
        Assert.Equal(7, parsed.RootElement.GetProperty("data").GetProperty("version").GetInt64());
    }
}
