using System.Text;
using System.Text.Json;

namespace Vapora.Contracts.Tests;

public sealed class WorkflowUpdateHeaderTests
{
    [Fact]
    public void The_header_of_an_encoded_update_is_read_without_deserializing_it()
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(new WorkflowUpdate
        {
            WorkflowId = "wf_a",
            Version = 42,
            Status = WorkflowStatus.Completed,
            CurrentStep = 1,
            TotalSteps = 1,
            Timestamp = DateTimeOffset.UnixEpoch,
        }, VaporaJsonContext.Default.WorkflowUpdate);

        Assert.True(WorkflowUpdateHeader.TryRead(json, out var header));
        Assert.Equal(new WorkflowUpdateHeader("wf_a", 42, WorkflowStatus.Completed), header);
    }

    [Fact]
    public void Read_for_an_expected_workflow_the_header_holds_that_very_id_and_another_workflows_update_is_refused()
    {
        var expected = new string("wf_a".AsSpan()); // not the interned literal: the header must hold this instance
        var escaped = Encoding.UTF8.GetBytes("""{"workflow_id":"wf\u005fa","version":3,"status":"r\u0075nning"}""");

        Assert.True(WorkflowUpdateHeader.TryRead("""{"workflow_id":"wf_a","version":3,"status":"running"}"""u8, expected, out var header));
        Assert.Same(expected, header.WorkflowId);
        Assert.Equal(new WorkflowUpdateHeader("wf_a", 3, WorkflowStatus.Running), header);
        Assert.True(WorkflowUpdateHeader.TryRead(escaped, expected, out header)); // compared unescaped, as the plain read does
        Assert.Equal(new WorkflowUpdateHeader("wf_a", 3, WorkflowStatus.Running), header);
        Assert.False(WorkflowUpdateHeader.TryRead("""{"workflow_id":"wf_b","version":3,"status":"running"}"""u8, expected, out header));
        Assert.Equal(default, header);
        Assert.False(WorkflowUpdateHeader.TryRead("""{"workflow_id":"wf_a","version":0,"status":"running"}"""u8, expected, out _));
    }

    [Theory]
    [InlineData("")]
    [InlineData("null")]
    [InlineData("[]")]
    [InlineData("{")]
    [InlineData("""{"workflow_id":"wf_a","version":1}""")]
    [InlineData("""{"workflow_id":"wf_a","status":"running"}""")]
    [InlineData("""{"workflow_id":"wf_a","version":0,"status":"running"}""")]
    [InlineData("""{"workflow_id":"wf_a","version":"1","status":"running"}""")]
    [InlineData("""{"workflow_id":"wf_a","version":1.5,"status":"running"}""")]
    [InlineData("""{"workflow_id":"wf_a","version":99999999999999999999,"status":"running"}""")]
    [InlineData("""{"workflow_id":"wf*","version":1,"status":"running"}""")]
    [InlineData("""{"workflow_id":"wf_a","version":1,"status":"Bogus!"}""")]
    [InlineData("""{"workflow_id":"wf_a","version":1,"status":""}""")]
    [InlineData("""{"workflow_id":"wf_a","version":1,"status":3}""")]
    [InlineData("""{"workflow_id":"wf_a","version":1,"status":"running"} trailing""")]
    [InlineData("""{"workflow_id":"wf_a","version":1,"status":"running"}{}""")]
    [InlineData("""{"workflow_id":"\ud800","version":1,"status":"running"}""")]
    [InlineData("""{"workflow_id":"wf_a","version":1,"status":"\udc00\ud800"}""")]
    [InlineData("""{"workflow_id":"wf_a","version":1,"status":"running","message":"\ud800"}""")]
    public void Malformed_or_foreign_payloads_are_refused(string payload)
    {
        Assert.False(WorkflowUpdateHeader.TryRead(Encoding.UTF8.GetBytes(payload), out _));
    }
}
