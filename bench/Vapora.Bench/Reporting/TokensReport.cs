using Vapora.Bench.Scenarios;

namespace Vapora.Bench.Reporting;

/// <summary>The JSON written by <c>tokens</c>.</summary>
internal sealed record TokensReport(Invocation Invocation, string Description, TokensSettings Options, IReadOnlyList<TokensFigures> Runs, TokensFigures Median);
