using Vapora.Testing;

namespace Vapora.Deployment.Tests.Podman;

/// <summary>
/// podman as this repository runs it: the settings of scripts/lib/containers.conf (runc, cgroupfs, explicit
/// ulimits). Everything the tests create carries <see cref="Label"/>, so a run can clean up what an aborted one left.
/// </summary>
public static class PodmanCli
{
    /// <summary>Label on every container, network and volume the tests create.</summary>
    public const string Label = "org.vapora.test";

    /// <summary>The environment podman (and a podman system service) needs.</summary>
    public static IReadOnlyDictionary<string, string?> Environment { get; } = new Dictionary<string, string?>
    {
        ["CONTAINERS_CONF"] = Path.Combine(RepositoryPaths.Root, "scripts", "lib", "containers.conf"),
    };

    /// <summary>Runs podman; fails with its output unless it exits 0.</summary>
    public static Task<string> CheckAsync(params string[] arguments) => CheckAsync(TimeSpan.FromMinutes(2), arguments);

    public static Task<string> CheckAsync(TimeSpan timeout, params string[] arguments) =>
        Command.CheckAsync("podman", arguments, timeout, Environment);

    /// <summary>Runs podman and returns how it ended.</summary>
    public static Task<CommandResult> RunAsync(params string[] arguments) =>
        Command.RunAsync("podman", arguments, TimeSpan.FromMinutes(2), Environment);

    /// <summary>A name for something a test creates: the prefix, then random.</summary>
    public static string NewName(string prefix) => $"{prefix}-{Guid.NewGuid().ToString("N")[..8]}";
}
