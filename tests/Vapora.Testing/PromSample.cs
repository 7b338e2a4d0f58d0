using System.Text.Json;

namespace Vapora.Testing;

/// <summary>One sample of an instant query: its labels and value.</summary>
public sealed record PromSample(IReadOnlyDictionary<string, string> Labels, double Value)
{
    internal static PromSample FromVector(JsonElement sample) => new(
        sample.GetProperty("metric").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!),
        PrometheusServer.ParseValue(sample.GetProperty("value")[1].GetString()!));
}
