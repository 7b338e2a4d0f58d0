using ScottPlot;

namespace Vapora.Bench.Reporting;

/// <summary>p50 and p99 latency against delivered messages per second, one point per sweep step.</summary>
internal static class SweepChart
{
    /// <summary>Writes <paramref name="pathWithoutExtension"/>.png, or .svg where Skia's native library cannot load; returns the file.</summary>
    public static string Save(string pathWithoutExtension, string title, IReadOnlyList<SweepStep> steps)
    {
        var plot = new Plot();
        var delivered = steps.Select(s => s.Median.DeliveredPerSecond).ToArray();
        var p50 = plot.Add.Scatter(delivered, steps.Select(s => s.Median.P50Ms).ToArray());
        p50.LegendText = "p50";
        var p99 = plot.Add.Scatter(delivered, steps.Select(s => s.Median.P99Ms).ToArray());
        p99.LegendText = "p99";
        plot.Title(title);
        plot.XLabel("delivered messages/s");
        plot.YLabel("latency (ms)");
        plot.ShowLegend(Edge.Right);
        plot.Axes.SetLimitsY(0, Math.Max(1, steps.Max(s => s.Median.P99Ms)) * 1.1);

        return ChartFile.Save(plot, pathWithoutExtension);
    }
}
