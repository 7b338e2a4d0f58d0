namespace Vapora.Deployment.Tests.Manifests;

/// <summary>
/// One probe of a container manifest. <paramref name="Path"/> and <paramref name="Port"/> for <c>httpGet</c>,
/// <paramref name="Port"/> alone for <c>tcpSocket</c>, <paramref name="Command"/> for <c>exec</c>.
/// </summary>
/// <param name="Kind">startupProbe, livenessProbe or readinessProbe.</param>
/// <param name="Budget">How long Kubernetes gives it to succeed (initial delay + period × failure threshold).</param>
public sealed record ProbeSpec(string Kind, string? Path, int? Port, IReadOnlyList<string>? Command, TimeSpan Budget)
{
    public override string ToString() => Path is not null ? $"{Kind} GET :{Port}{Path}" : Command is not null ? $"{Kind} exec {string.Join(' ', Command)}" : $"{Kind} tcp :{Port}";
}
