using Vapora.Contracts;
using Vapora.Contracts.Serialization;

namespace Vapora.WorkflowApi.Workflows;

/// <summary>
/// A validated PATCH: the fields to change (null = keep). Applying it to the current update gives
/// the next version, or says why the change cannot follow the current state.
/// </summary>
public sealed record WorkflowChange(WorkflowStatus? Status, int? CurrentStep, int? TotalSteps, string? Message)
{
    private const string StatusForbids = "The workflow's current status does not allow this change (nothing follows a terminal status; nothing goes back to pending).";

    /// <summary>Computes the next update from <paramref name="current"/>.</summary>
    /// <param name="now">The accepting process's clock; timestamps never go back even if clocks differ.</param>
    public ChangeResult ApplyTo(WorkflowUpdate current, DateTimeOffset now)
    {
        if (current.Status.IsTerminal())
        {
            return new ChangeRejection(ChangeRejectionKind.IllegalTransition, "status",
                $"The workflow is {current.Status.ToWireName()}; nothing may follow a terminal status.", StatusForbids);
        }

        var status = Status ?? current.Status;
        if (!WorkflowStatusRules.CanMove(current.Status, status))
        {
            return new ChangeRejection(ChangeRejectionKind.IllegalTransition, "status",
                $"A {current.Status.ToWireName()} workflow cannot become {status.ToWireName()}.", StatusForbids);
        }

        var totalSteps = TotalSteps ?? current.TotalSteps;
        var currentStep = CurrentStep ?? current.CurrentStep;
        if (currentStep > totalSteps)
        {
            var field = CurrentStep is null ? "total_steps" : "current_step";
            return new ChangeRejection(ChangeRejectionKind.InvalidValue, field,
                $"current_step ({currentStep}) must not exceed total_steps ({totalSteps}).",
                "current_step must not exceed total_steps (the stored value where the change leaves one out).");
        }

        var timestamp = UtcTimestampJsonConverter.Truncate(now);
        return new WorkflowUpdate
        {
            WorkflowId = current.WorkflowId,
            Version = current.Version + 1,
            Status = status,
            CurrentStep = currentStep,
            TotalSteps = totalSteps,
            // An empty string clears the message.
            Message = Message is null ? current.Message : (Message.Length == 0 ? null : Message),
            Timestamp = timestamp < current.Timestamp ? current.Timestamp : timestamp,
        };
    }
}

/// <summary>Either the next update or a rejection.</summary>
public readonly struct ChangeResult
{
    private ChangeResult(WorkflowUpdate? update, ChangeRejection? rejection)
    {
        Update = update;
        Rejection = rejection;
    }

    /// <summary>The next update, when the change is allowed.</summary>
    public WorkflowUpdate? Update { get; }

    /// <summary>Why not, when it is not.</summary>
    public ChangeRejection? Rejection { get; }

    /// <summary>Wraps an update.</summary>
    public static implicit operator ChangeResult(WorkflowUpdate update) => new(update, null);

    /// <summary>Wraps a rejection.</summary>
    public static implicit operator ChangeResult(ChangeRejection rejection) => new(null, rejection);
}
