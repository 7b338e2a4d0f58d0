using Vapora.Contracts;
using Vapora.WorkflowApi.Workflows;

namespace Vapora.WorkflowApi.Tests;

/// <summary>A validated PATCH applied to the stored state: the fields it leaves out are kept, and time never goes back.</summary>
public sealed class WorkflowChangeTests
{
    private static readonly DateTimeOffset Stored = new(2026, 12, 7, 3, 0, 0, TimeSpan.Zero);

    private static readonly WorkflowUpdate Current = new()
    {
        WorkflowId = "wf_change_unit",
        Version = 4,
        Status = WorkflowStatus.Running,
        CurrentStep = 3,
        TotalSteps = 5,
        Message = "compiling",
        Timestamp = Stored,
    };

    [Fact]
    public void A_new_total_steps_is_taken_and_bounds_the_current_step_and_one_below_the_stored_step_names_total_steps()
    {
        var raised = new WorkflowChange(null, CurrentStep: 8, TotalSteps: 10, null).ApplyTo(Current, Stored);
        var lowered = new WorkflowChange(null, null, TotalSteps: 2, null).ApplyTo(Current, Stored);

        Assert.Equal((8, 10), (raised.Update!.CurrentStep, raised.Update.TotalSteps));
        Assert.Equal((ChangeRejectionKind.InvalidValue, "total_steps"), (lowered.Rejection!.Kind, lowered.Rejection.Field));
    }

    [Fact]
    public void A_left_out_message_is_kept_an_empty_one_clears_it_and_a_new_one_replaces_it()
    {
        Assert.Equal("compiling", new WorkflowChange(null, 4, null, Message: null).ApplyTo(Current, Stored).Update!.Message);
        Assert.Null(new WorkflowChange(null, 4, null, Message: "").ApplyTo(Current, Stored).Update!.Message);
        Assert.Equal("linking", new WorkflowChange(null, 4, null, Message: "linking").ApplyTo(Current, Stored).Update!.Message);
    }

    [Fact]
    public void The_timestamp_is_the_accepting_clock_but_never_earlier_than_the_stored_one()
    {
        var behind = new WorkflowChange(null, 4, null, null).ApplyTo(Current, Stored.AddSeconds(-5));
        var ahead = new WorkflowChange(null, 4, null, null).ApplyTo(Current, Stored.AddSeconds(5));

        Assert.Equal(Stored, behind.Update!.Timestamp);
        Assert.Equal(Stored.AddSeconds(5), ahead.Update!.Timestamp);
        Assert.Equal(5, ahead.Update.Version);
    }
}
