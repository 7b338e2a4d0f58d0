using System.Globalization;
using System.Text.Json;
using Vapora.Deployment.Tests.Podman;
using Vapora.Testing;

namespace Vapora.Deployment.Tests.Manifests;

/// <summary>
/// Starts a manifest's container with podman the way the kubelet would: the manifest's user and group (and its
/// runAsNonRoot check), read-only root filesystem without podman's extra writable folders, capabilities, no new
/// privileges, seccomp, memory limit, emptyDir/Secret/ConfigMap volumes, command and args, the rendered environment
/// and the image's HEALTHCHECK off (Kubernetes ignores it; the manifest's probes count). Each container port is
/// published on a free loopback port; the container joins a network under the names of its Services.
/// </summary>
public static class KubeletOnPodman
{
    /// <param name="pod">The manifest's container.</param>
    /// <param name="image">The image built here for it (the manifest names a registry's).</param>
    /// <param name="network">A podman network of the test.</param>
    /// <param name="overrides">Settings this machine must change (documented where they are chosen); replace the rendered ones.</param>
    public static async Task<RunningContainer> StartAsync(PodContainer pod, string image, string network, SecretPlaceholders secrets,
        KubernetesObjects objects, IReadOnlyDictionary<string, string>? overrides = null)
    {
        var name = PodmanCli.NewName($"vapora-k8s-{pod.Deployment}");
        var arguments = new List<string>
        {
            "run", "--detach", "--pull", "never", "--name", name, "--label", PodmanCli.Label + "=manifests",
            "--network", network, "--hostname", pod.PodName, "--no-healthcheck",
            "--stop-timeout", pod.TerminationGracePeriodSeconds.ToString(CultureInfo.InvariantCulture),
        };
        foreach (var alias in pod.Aliases)
        {
            arguments.AddRange(["--network-alias", alias]);
        }

        arguments.AddRange(await SecurityArgumentsAsync(pod, image));

        var hostPorts = new Dictionary<int, int>();
        foreach (var (_, port) in pod.Ports)
        {
            hostPorts[port] = TestPorts.GetFree();
            arguments.AddRange(["--publish", $"127.0.0.1:{hostPorts[port]}:{port}"]);
        }

        if (pod.MemoryLimit() is { } memory)
        {
            arguments.AddRange(["--memory", memory.ToString(CultureInfo.InvariantCulture)]);
        }

        var volumeDirectory = VolumeArguments(pod, secrets, objects, arguments);

        var environment = pod.Environment.ToDictionary(e => e.Name, e => e.Value);
        foreach (var (key, value) in overrides ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }

        foreach (var (key, value) in environment)
        {
            arguments.AddRange(["--env", $"{key}={value}"]);
        }

        // command replaces the image's ENTRYPOINT (and then its CMD too), args its CMD.
        if (pod.Spec.TryGetProperty("command", out var command))
        {
            arguments.AddRange(["--entrypoint", command.GetRawText()]);
        }

        if (pod.Spec.TryGetProperty("workingDir", out var workingDir))
        {
            arguments.AddRange(["--workdir", workingDir.GetString()!]);
        }

        arguments.Add(image);
        if (pod.Spec.TryGetProperty("args", out var args))
        {
            arguments.AddRange(args.EnumerateArray().Select(a => a.GetString()!));
        }

        await PodmanCli.CheckAsync([.. arguments]);
        return new RunningContainer(name, pod, hostPorts, volumeDirectory);
    }

    private static async Task<IEnumerable<string>> SecurityArgumentsAsync(PodContainer pod, string image)
    {
        var arguments = new List<string>();
        var user = pod.Security("runAsUser")?.GetInt64();
        var group = pod.Security("runAsGroup")?.GetInt64();
        if (pod.Security("runAsNonRoot")?.GetBoolean() == true)
        {
            // The kubelet's check: the user must be known to be non-root before the container starts.
            var imageUser = (await PodmanCli.CheckAsync("image", "inspect", "--format", "{{.Config.User}}", image)).Trim();
            var uid = user ?? (long.TryParse(imageUser.Split(':')[0], CultureInfo.InvariantCulture, out var numeric) ? numeric
                : throw new InvalidOperationException($"{pod.Deployment}: runAsNonRoot with the image's non-numeric user '{imageUser}' and no runAsUser: the kubelet refuses to start it (cannot verify the user is non-root)."));
            if (uid == 0)
            {
                throw new InvalidOperationException($"{pod.Deployment}: runAsNonRoot, but the container would run as root: the kubelet refuses to start it.");
            }
        }

        if (user is not null)
        {
            arguments.AddRange(["--user", group is null ? $"{user}" : $"{user}:{group}"]);
        }

        foreach (var extra in new[] { pod.Security("fsGroup") }.Concat(pod.Security("supplementalGroups")?.EnumerateArray().Select(g => (JsonElement?)g) ?? []))
        {
            if (extra is { } gid)
            {
                arguments.AddRange(["--group-add", gid.GetInt64().ToString(CultureInfo.InvariantCulture)]);
            }
        }

        if (pod.Security("readOnlyRootFilesystem")?.GetBoolean() == true)
        {
            // podman would otherwise mount writable tmpfs on /tmp, /var/tmp and /run, which Kubernetes does not.
            arguments.AddRange(["--read-only", "--read-only-tmpfs=false"]);
        }

        if (pod.Security("allowPrivilegeEscalation")?.GetBoolean() == false)
        {
            arguments.AddRange(["--security-opt", "no-new-privileges"]);
        }

        if (pod.Security("privileged")?.GetBoolean() == true)
        {
            arguments.Add("--privileged");
        }

        if (pod.Security("seccompProfile") is { } seccomp && seccomp.GetProperty("type").GetString() == "Unconfined")
        {
            arguments.AddRange(["--security-opt", "seccomp=unconfined"]);
        }

        arguments.AddRange(pod.Capabilities("drop").SelectMany(c => new[] { "--cap-drop", c }));
        arguments.AddRange(pod.Capabilities("add").SelectMany(c => new[] { "--cap-add", c }));
        return arguments;
    }

    // emptyDir: a fresh writable folder (tmpfs); Secret and ConfigMap: their files, read-only. Returns the folder
    // holding the files, if any.
    private static string? VolumeArguments(PodContainer pod, SecretPlaceholders secrets, KubernetesObjects objects, List<string> arguments)
    {
        string? directory = null;
        foreach (var (mount, volume) in pod.Mounts())
        {
            var path = mount.GetProperty("mountPath").GetString()!;
            if (volume.TryGetProperty("emptyDir", out var emptyDir))
            {
                var size = emptyDir.TryGetProperty("sizeLimit", out var limit) ? $",tmpfs-size={limit.GetString()}" : string.Empty;
                arguments.AddRange(["--mount", $"type=tmpfs,destination={path},tmpfs-mode=1777{size}"]);
                continue;
            }

            var (data, source) = volume.TryGetProperty("secret", out var secret)
                ? (secrets.Secret(secret.GetProperty("secretName").GetString()!), secret)
                : volume.TryGetProperty("configMap", out var configMap)
                    ? (objects.ConfigMapData(configMap.GetProperty("name").GetString()!), configMap)
                    : throw new NotSupportedException($"{pod.Deployment}: volume {volume.GetProperty("name")} is of a kind this test does not mount.");
            if (data is null)
            {
                // An optional Secret or ConfigMap that does not exist mounts as an empty folder.
                data = source.TryGetProperty("optional", out var optional) && optional.GetBoolean()
                    ? new Dictionary<string, string>()
                    : throw new InvalidOperationException($"{pod.Deployment}: volume {volume.GetProperty("name")} needs {source}, which neither the manifests nor the test's placeholders have.");
            }

            directory ??= Readable(Directory.CreateTempSubdirectory("vapora-k8s-volumes-").FullName);
            var folder = Readable(Directory.CreateDirectory(Path.Combine(directory, volume.GetProperty("name").GetString()!)).FullName);
            var items = source.TryGetProperty("items", out var listed) && data.Count > 0
                ? listed.EnumerateArray().Select(i => (Key: i.GetProperty("key").GetString()!, Path: i.GetProperty("path").GetString()!))
                : data.Keys.Select(k => (Key: k, Path: k));
            foreach (var (key, file) in items)
            {
                File.WriteAllText(Path.Combine(folder, file), data[key]);
                Readable(Path.Combine(folder, file));
            }

            arguments.AddRange(["--volume", $"{folder}:{path}:ro"]);
        }

        return directory;
    }

    // The container's user is not the test's: folders 0755 (temporary ones start out 0700), files 0644 as
    // Kubernetes' defaultMode, whatever the test's umask.
    private static string Readable(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("Containers run on Linux here.");
        }

        var mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        File.SetUnixFileMode(path, Directory.Exists(path) ? mode | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute : mode);
        return path;
    }
}
