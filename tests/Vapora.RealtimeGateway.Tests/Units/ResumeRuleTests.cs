using Vapora.RealtimeGateway.Hub;
using Vapora.RealtimeGateway.Resume;

namespace Vapora.RealtimeGateway.Tests.Units;

/// <summary>Where a subscription starts and from which source, decided by one pure function: its table.</summary>
public sealed class ResumeRuleTests
{
    /// <summary>A topic at head 20 holding 11..20 in memory, unless a case says otherwise.</summary>
    public static TheoryData<ResumeCase> Cases => new()
    {
        new ResumeCase("the topic forwards nothing: resume later", ResumeStepName.Unavailable, 5, Ready: false),
        new ResumeCase("no position: the current state first", ResumeStepName.State, null),
        new ResumeCase("at the head: nothing to hand over, live from here", ResumeStepName.Memory, 20),
        new ResumeCase("inside memory: the rest from memory", ResumeStepName.Memory, 15),
        new ResumeCase("just below the oldest held: still all in memory", ResumeStepName.Memory, 10),
        new ResumeCase("below memory: read the history", ResumeStepName.ReadHistory, 9),
        new ResumeCase("from the first version: read the history", ResumeStepName.ReadHistory, 0),
        new ResumeCase("memory empty, one behind the head: read the history", ResumeStepName.ReadHistory, 19, Oldest: 21),
        new ResumeCase("beyond this gateway's head: ask the log", ResumeStepName.CheckLatest, 25),
        new ResumeCase("beyond the head, the log has it: this gateway lags, the versions come live", ResumeStepName.Memory, 25, Latest: 26),
        new ResumeCase("beyond the head, at the log's latest: live from here", ResumeStepName.Memory, 25, Latest: 25),
        new ResumeCase("beyond the log's latest: ahead of the store, reset", ResumeStepName.ResetAhead, 25, Latest: 24),
        new ResumeCase("a page that continues: catch it up", ResumeStepName.CatchUpPage, 5, Page: (6, 6)),
        new ResumeCase("a page of the first versions: catch it up", ResumeStepName.CatchUpPage, 0, Page: (100, 1)),
        new ResumeCase("a page that starts above the next version: compacted, reset", ResumeStepName.ResetCompacted, 5, Page: (3, 7)),
        new ResumeCase("version 1 compacted away: reset", ResumeStepName.ResetCompacted, 0, Page: (1, 2)),
        new ResumeCase("an empty page below the head: the log lags, resume later", ResumeStepName.Unavailable, 5, Page: (0, 0)),
        new ResumeCase("a page that does not go forward: the log disagrees, resume later", ResumeStepName.Unavailable, 5, Page: (2, 5)),
        new ResumeCase("a page decides before memory: what was read is used", ResumeStepName.CatchUpPage, 15, Page: (5, 16)),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void The_rule_decides_each_case(ResumeCase @case) =>
        Assert.True((ResumeStepName)ResumeRule.Decide(@case.Facts) == @case.Expected, $"{@case}: expected {@case.Expected}, got {(ResumeStepName)ResumeRule.Decide(@case.Facts)}");

    /// <summary>One row of the table: the facts (a topic at head 20 holding 11..20 unless given) and the step expected.</summary>
    public sealed record ResumeCase(string Why, ResumeStepName Expected, long? Position, bool Ready = true, long Head = 20, long Oldest = 11,
        long? Latest = null, (int Count, long First)? Page = null)
    {
        internal ResumeFacts Facts => new(Position, new TopicView(Ready, Head, Oldest), Latest, Page is { } page ? new HistoryPage(page.Count, page.First) : null);

        public override string ToString() => Why;
    }
}

/// <summary>Public mirror of the internal <see cref="ResumeStep"/>, so that the table's rows can be public test data.</summary>
public enum ResumeStepName
{
    State = ResumeStep.State,
    Memory = ResumeStep.Memory,
    ReadHistory = ResumeStep.ReadHistory,
    CatchUpPage = ResumeStep.CatchUpPage,
    CheckLatest = ResumeStep.CheckLatest,
    ResetCompacted = ResumeStep.ResetCompacted,
    ResetAhead = ResumeStep.ResetAhead,
    Unavailable = ResumeStep.Unavailable,
}
