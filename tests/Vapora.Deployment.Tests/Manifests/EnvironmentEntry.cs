namespace Vapora.Deployment.Tests.Manifests;

/// <summary>One variable of a container's environment and where the manifests set it.</summary>
/// <param name="Source">Such as <c>ConfigMap vapora-config</c>, <c>env</c>, <c>Secret vapora-redis-credentials/api-password</c>.</param>
/// <param name="FromEnvFrom">It came with a whole ConfigMap or Secret (<c>envFrom</c>), which other containers may load too.</param>
/// <param name="Referenced">A later entry of the container uses it as <c>$(NAME)</c>: it is there for the kubelet's expansion (such as POD_NAME).</param>
public sealed record EnvironmentEntry(string Name, string Value, string Source, bool FromEnvFrom, bool Referenced = false);
