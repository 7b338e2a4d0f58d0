namespace Vapora.Testing;

/// <summary>Configuration for a service process as layers of environment variables.</summary>
public static class Settings
{
    /// <summary>One dictionary from <paramref name="layers"/>; a later layer's value wins, null layers are skipped.</summary>
    public static Dictionary<string, string?> Layer(params IReadOnlyDictionary<string, string?>?[] layers)
    {
        var merged = new Dictionary<string, string?>();
        foreach (var layer in layers)
        {
            foreach (var (key, value) in layer ?? new Dictionary<string, string?>())
            {
                merged[key] = value;
            }
        }

        return merged;
    }
}
