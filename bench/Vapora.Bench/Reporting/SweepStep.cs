namespace Vapora.Bench.Reporting;

/// <summary>One rate of a sweep: its runs and their median.</summary>
internal sealed record SweepStep(int Rate, IReadOnlyList<RunFigures> Runs, RunFigures Median);
