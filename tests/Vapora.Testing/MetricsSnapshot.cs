using System.Globalization;

namespace Vapora.Testing;

/// <summary>A parsed Prometheus text scrape.</summary>
public sealed class MetricsSnapshot
{
    private readonly List<(string Name, string Labels, double Value)> _samples = [];

    private static string LabelValue(string labels, string label)
    {
        var start = labels.IndexOf(label + "=\"", StringComparison.Ordinal);
        if (start < 0)
        {
            return string.Empty;
        }

        start += label.Length + 2;
        return labels[start..labels.IndexOf('"', start)];
    }

    public static MetricsSnapshot Parse(string text)
    {
        var snapshot = new MetricsSnapshot();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var space = line.LastIndexOf(' ');
            var series = line[..space];
            var brace = series.IndexOf('{', StringComparison.Ordinal);
            var name = brace < 0 ? series : series[..brace];
            var labels = brace < 0 ? string.Empty : series[brace..];
            if (double.TryParse(line[(space + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            {
                snapshot._samples.Add((name, labels, value));
            }
        }

        return snapshot;
    }

    /// <summary>Sum of every series of <paramref name="name"/> whose labels contain <paramref name="labelFilter"/>.</summary>
    public double Value(string name, string? labelFilter = null) =>
        _samples.Where(s => s.Name == name && (labelFilter is null || s.Labels.Contains(labelFilter, StringComparison.Ordinal))).Sum(s => s.Value);

    /// <summary>
    /// The cumulative buckets of histogram <paramref name="name"/> (its <c>_bucket</c> series, summed over other labels) by
    /// upper bound, lowest first; +Inf last.
    /// </summary>
    public IReadOnlyList<(double UpperBound, double Count)> Buckets(string name) =>
        [.. _samples.Where(s => s.Name == name + "_bucket")
            .GroupBy(s => LabelValue(s.Labels, "le"))
            .Select(g => (UpperBound: g.Key == "+Inf" ? double.PositiveInfinity : double.Parse(g.Key, NumberStyles.Float, CultureInfo.InvariantCulture), Count: g.Sum(s => s.Value)))
            .OrderBy(b => b.UpperBound)];

    public bool Has(string name) => _samples.Any(s => s.Name == name);
}
