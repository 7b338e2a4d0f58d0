namespace Vapora.Testing;

/// <summary>An alert Prometheus holds: labels, annotations and state (<c>pending</c> or <c>firing</c>).</summary>
public sealed record PromAlert(IReadOnlyDictionary<string, string> Labels, IReadOnlyDictionary<string, string> Annotations, string State)
{
    public string Name => Labels["alertname"];

    public bool IsFiring => State == "firing";
}
