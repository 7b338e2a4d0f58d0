using Vapora.Bench.Cli;

namespace Vapora.Bench.Reporting;

/// <summary>The JSON written by <c>run</c>: every run and the median of each figure.</summary>
internal sealed record RunReport(Invocation Invocation, string Target, string Description, LoadOptions Options, IReadOnlyList<RunFigures> Runs, RunFigures Median);
