namespace Vapora.WorkflowApi.Workflows;

/// <summary>Why a change was refused given the workflow's current state.</summary>
/// <param name="Detail">The reason, naming the stored values it conflicts with.</param>
/// <param name="DetailWithoutState">The same reason without them, for a caller that may not read the workflow.</param>
public sealed record ChangeRejection(ChangeRejectionKind Kind, string Field, string Detail, string DetailWithoutState);

/// <summary>Kinds of refusal; each maps to one HTTP status.</summary>
public enum ChangeRejectionKind
{
    /// <summary>A status change that the lifecycle forbids (409).</summary>
    IllegalTransition,

    /// <summary>A value that is invalid combined with the stored state, such as current_step above total_steps (400).</summary>
    InvalidValue,
}
