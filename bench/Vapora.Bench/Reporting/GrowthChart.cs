using ScottPlot;

namespace Vapora.Bench.Reporting;

/// <summary>CPU µs per delivered message (left axis) and RSS KiB per connection (right axis) against open sockets.</summary>
internal static class GrowthChart
{
    public static string Save(string pathWithoutExtension, string title, IReadOnlyList<GrowthStep> steps)
    {
        var plot = new Plot();
        var sockets = steps.Select(s => (double)s.Clients).ToArray();
        var cpu = plot.Add.Scatter(sockets, steps.Select(s => s.CpuMicrosecondsPerMessage).ToArray());
        cpu.LegendText = "server CPU µs per delivered message (left)";
        var rss = plot.Add.Scatter(sockets, steps.Select(s => s.Median.RssPerConnectionKib).ToArray());
        rss.LegendText = "server RSS KiB per connection (right)";
        rss.Axes.YAxis = plot.Axes.Right;
        plot.Title(title);
        plot.XLabel("open WebSocket connections");
        plot.YLabel("µs per delivered message");
        plot.Axes.Right.Label.Text = "KiB per connection";
        plot.Axes.SetLimitsY(0, Math.Max(1, steps.Max(s => s.CpuMicrosecondsPerMessage)) * 1.2, plot.Axes.Left);
        plot.Axes.SetLimitsY(0, Math.Max(1, steps.Max(s => s.Median.RssPerConnectionKib)) * 1.2, plot.Axes.Right);
        plot.ShowLegend(Edge.Bottom);

        return ChartFile.Save(plot, pathWithoutExtension);
    }
}
