namespace Vapora.Contracts.Tests;

public sealed class RulesTests
{
    [Theory]
    [InlineData("wf_01J9ZK", true)]
    [InlineData("a", true)]
    [InlineData("A-b_9", true)]
    [InlineData("", false)]
    [InlineData("wf*", false)]
    [InlineData("wf?x", false)]
    [InlineData("$where", false)]
    [InlineData("../etc", false)]
    [InlineData("wf a", false)]
    [InlineData("wf{a}", false)]
    [InlineData("wf\n", false)]
    [InlineData("é", false)]
    public void Workflow_ids_are_strict(string id, bool valid)
    {
        Assert.Equal(valid, WorkflowIds.IsValid(id));
    }

    [Fact]
    public void Ids_longer_than_64_characters_are_refused()
    {
        Assert.True(WorkflowIds.IsValid(new string('a', 64)));
        Assert.False(WorkflowIds.IsValid(new string('a', 65)));
    }

    [Fact]
    public void A_channel_name_carries_the_id_as_a_cluster_hash_tag()
    {
        Assert.Equal("vapora:wf:{wf_1}", WorkflowChannels.NameFor("wf_1"));
        Assert.True(WorkflowChannels.TryGetWorkflowId("vapora:wf:{wf_1}", out var id));
        Assert.Equal("wf_1", id);
        Assert.False(WorkflowChannels.TryGetWorkflowId("other:{wf_1}", out _));
        Assert.False(WorkflowChannels.TryGetWorkflowId("vapora:wf:{bad*}", out _));
    }

    [Theory]
    [InlineData(WorkflowStatus.Pending, WorkflowStatus.Running, true)]
    [InlineData(WorkflowStatus.Pending, WorkflowStatus.Cancelled, true)]
    [InlineData(WorkflowStatus.Running, WorkflowStatus.Running, true)]
    [InlineData(WorkflowStatus.Running, WorkflowStatus.Completed, true)]
    [InlineData(WorkflowStatus.Running, WorkflowStatus.Pending, false)]
    [InlineData(WorkflowStatus.Completed, WorkflowStatus.Running, false)]
    [InlineData(WorkflowStatus.Failed, WorkflowStatus.Failed, false)]
    [InlineData(WorkflowStatus.Cancelled, WorkflowStatus.Completed, false)]
    public void Nothing_follows_a_terminal_status_and_nothing_returns_to_pending(WorkflowStatus from, WorkflowStatus to, bool allowed)
    {
        Assert.Equal(allowed, WorkflowStatusRules.CanMove(from, to));
    }

    [Theory]
    [InlineData(WorkflowCloseCodes.GoingAway, true)]
    [InlineData(WorkflowCloseCodes.SlowConsumer, true)]
    [InlineData(WorkflowCloseCodes.CatchUpFailed, true)]
    [InlineData(WorkflowCloseCodes.TryAgainLater, true)]
    [InlineData(WorkflowCloseCodes.InternalError, true)]
    [InlineData(1006, true)]
    [InlineData(WorkflowCloseCodes.Normal, false)]
    [InlineData(WorkflowCloseCodes.NotFound, false)]
    [InlineData(WorkflowCloseCodes.Forbidden, false)]
    [InlineData(WorkflowCloseCodes.Unauthorized, false)]
    [InlineData(WorkflowCloseCodes.BadRequest, false)]
    [InlineData(WorkflowCloseCodes.MessageTooBig, false)]
    public void Close_codes_say_whether_to_resume(int code, bool resume)
    {
        Assert.Equal(resume, WorkflowCloseCodes.ShouldResume(code));
    }
}
