namespace Vapora.Bench.Reporting;

/// <summary>The JSON written by <c>idle</c>.</summary>
internal sealed record IdleReport(Invocation Invocation, string Target, string Description, IdleSettings Options,
    IReadOnlyList<IdleFigures> Runs, IdleFigures Median);
