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
        Assert.Equal("vapora:probe:{gw_1}", WorkflowChannels.ProbeFor("gw_1"));
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

    // The documented contract (README, "Close codes"), pinned by number: clients decide with ShouldResume. Codes this
    // version does not know resume (4123, 4500, 3000, 1014), as do a 1000 or 1005 the client did not ask for; the
    // give-up range 4400-4499 and what the gateway refused of the client's (1003, 1007, 1008, 1009) do not.
    [Theory]
    [InlineData(1001, true)]
    [InlineData(1006, true)]
    [InlineData(1011, true)]
    [InlineData(1012, true)]
    [InlineData(1013, true)]
    [InlineData(4000, true)]
    [InlineData(4001, true)]
    [InlineData(4002, true)]
    [InlineData(4123, true)]
    [InlineData(4500, true)]
    [InlineData(4999, true)]
    [InlineData(3000, true)]
    [InlineData(1014, true)]
    [InlineData(1000, true)]
    [InlineData(1002, true)]
    [InlineData(1005, true)]
    [InlineData(1003, false)]
    [InlineData(1007, false)]
    [InlineData(1008, false)]
    [InlineData(1009, false)]
    [InlineData(4400, false)]
    [InlineData(4401, false)]
    [InlineData(4403, false)]
    [InlineData(4404, false)]
    [InlineData(4450, false)]
    [InlineData(4499, false)]
    public void Close_codes_say_whether_to_resume(int code, bool resume)
    {
        Assert.Equal(resume, CloseReason.ShouldResume(code));
    }

    [Fact]
    public void Every_close_the_gateway_sends_carries_its_documented_code_and_meaning()
    {
        (CloseReason Reason, int Code, bool Resume)[] sent =
        [
            (CloseReason.GoingAway, 1001, true), (CloseReason.UnsupportedData, 1003, false), (CloseReason.MessageTooBig(65536), 1009, false),
            (CloseReason.InternalError, 1011, true), (CloseReason.TryAgainLater, 1013, true), (CloseReason.SlowConsumer, 4000, true),
            (CloseReason.CatchUpFailed, 4001, true), (CloseReason.BadRequest("bad id"), 4400, false), (CloseReason.Unauthorized, 4401, false),
            (CloseReason.InvalidToken, 4401, false), (CloseReason.TokenExpired, 4401, false), (CloseReason.Forbidden, 4403, false),
            (CloseReason.NotFound, 4404, false),
        ];
        foreach (var (reason, code, resume) in sent)
        {
            Assert.Equal((code, resume), (reason.Code, reason.Resume));
            Assert.Equal(resume, CloseReason.ShouldResume(reason.Code));
            // A close reason travels in a control frame: at most 123 bytes of UTF-8.
            Assert.InRange(System.Text.Encoding.UTF8.GetByteCount(reason.Reason), 1, 123);
        }

        Assert.Equal("message larger than 65536 bytes", CloseReason.MessageTooBig(65536).Reason);
    }
}
