namespace Vapora.Testing;

/// <summary>Whether Testcontainers has a Docker engine to talk to (checked cheaply, before trying).</summary>
public static class DockerAvailability
{
    public static bool IsLikelyAvailable { get; } =
        !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("DOCKER_HOST")) || File.Exists("/var/run/docker.sock");

    public static string Reason => IsLikelyAvailable ? "Docker endpoint found" : "no Docker engine (no DOCKER_HOST, no /var/run/docker.sock)";
}
