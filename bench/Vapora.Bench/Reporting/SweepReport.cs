using Vapora.Bench.Cli;

namespace Vapora.Bench.Reporting;

/// <summary>The JSON written by <c>sweep</c>: one step per rate, until a limit was crossed.</summary>
internal sealed record SweepReport(Invocation Invocation, string Target, string Description, LoadOptions Options, double MaxP99Ms,
    IReadOnlyList<SweepStep> Steps, string StoppedBecause, string? Chart);
