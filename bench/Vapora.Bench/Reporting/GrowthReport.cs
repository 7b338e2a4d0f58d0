using Vapora.Bench.Cli;

namespace Vapora.Bench.Reporting;

/// <summary>The JSON written by <c>growth</c>.</summary>
internal sealed record GrowthReport(Invocation Invocation, string Target, string Description, LoadOptions Options, int DeliveriesPerSecond,
    IReadOnlyList<GrowthStep> Steps, string? Chart);
