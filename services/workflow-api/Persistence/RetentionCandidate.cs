namespace Vapora.WorkflowApi.Persistence;

/// <summary>A terminal workflow the retention sweep may compact or delete, as its summary shows it.</summary>
/// <param name="LastVersion">Its last version: the terminal one (nothing follows a terminal status).</param>
/// <param name="TerminalAt">When it reached its terminal status (the terminal update's timestamp).</param>
public readonly record struct RetentionCandidate(string WorkflowId, long LastVersion, DateTimeOffset TerminalAt);
