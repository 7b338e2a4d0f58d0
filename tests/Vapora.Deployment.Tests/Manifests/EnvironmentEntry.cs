namespace Vapora.Deployment.Tests.Manifests;

/// <summary>One variable of a container's environment and where the manifests set it.</summary>
public sealed record EnvironmentEntry(string Name, string Value, string Source);
