namespace Vapora.Bench.Reporting;

internal static class Statistics
{
    /// <summary>The middle value (the mean of the two middle ones for an even count); 0 for none.</summary>
    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0)
        {
            return 0;
        }

        var middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    public static long Median(IEnumerable<long> values) => (long)Math.Round(Median(values.Select(v => (double)v)));

    /// <summary>The median of each key that appears in any of the dictionaries.</summary>
    public static Dictionary<string, double> Median(IReadOnlyList<IReadOnlyDictionary<string, double>> values) =>
        values.SelectMany(v => v.Keys).Distinct(StringComparer.Ordinal)
            .ToDictionary(key => key, key => Median(values.Select(v => v.GetValueOrDefault(key))), StringComparer.Ordinal);
}
