namespace Vapora.Bench.Reporting;

/// <summary>One size of a growth curve: N sockets at the same delivered rate.</summary>
internal sealed record GrowthStep(int Clients, int Rate, IReadOnlyList<RunFigures> Runs, RunFigures Median)
{
    /// <summary>Server CPU per delivered message (µs): server cores × 10⁶ / delivered messages per second.</summary>
    public double CpuMicrosecondsPerMessage => Median.DeliveredPerSecond <= 0 ? 0 : Median.ServerCpuCores * 1_000_000 / Median.DeliveredPerSecond;
}
