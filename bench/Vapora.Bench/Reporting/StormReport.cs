using Vapora.Bench.Scenarios;

namespace Vapora.Bench.Reporting;

/// <summary>The JSON written by <c>storm</c>.</summary>
internal sealed record StormReport(Invocation Invocation, string Description, StormSettings Options, IReadOnlyList<StormFigures> Runs, StormFigures Median);
