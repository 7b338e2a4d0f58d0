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
