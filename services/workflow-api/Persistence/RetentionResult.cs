namespace Vapora.WorkflowApi.Persistence;

/// <summary>What one batch of the retention sweep did.</summary>
/// <param name="Workflows">Workflows compacted (or deleted).</param>
/// <param name="Entries">Log entries removed.</param>
/// <param name="Waiting">
/// Workflows left as they were because an entry of theirs is not published yet: the outbox still needs it, so the
/// next sweep tries again.
/// </param>
public readonly record struct RetentionResult(int Workflows, long Entries, int Waiting)
{
    /// <summary>This batch's work and <paramref name="other"/>'s together.</summary>
    public RetentionResult Add(RetentionResult other) => new(Workflows + other.Workflows, Entries + other.Entries, Waiting + other.Waiting);
}
