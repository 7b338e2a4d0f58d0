using System.Globalization;
using System.Text.Json;

namespace Vapora.Deployment.Tests.Manifests;

/// <summary>
/// The first container of a Deployment's pod template, read as the kubelet reads it: security contexts (the pod's,
/// overridden by the container's), ports, command and args, environment, volumes, probes and memory limit.
/// </summary>
public sealed class PodContainer
{
    private readonly JsonElement _pod;

    /// <param name="deployment">The name of a Deployment or StatefulSet.</param>
    public PodContainer(KubernetesObjects objects, string deployment, SecretPlaceholders secrets)
    {
        Deployment = deployment;
        var workload = objects.Workload(deployment);
        var template = workload.GetProperty("spec").GetProperty("template");
        // A StatefulSet's pods are named after it and their ordinal; a Deployment's get a random suffix.
        PodName = workload.GetProperty("kind").GetString() == "StatefulSet" ? $"{deployment}-0" : $"{deployment}-test";
        _pod = template.GetProperty("spec");
        Spec = _pod.GetProperty("containers")[0];
        PodLabels = template.GetProperty("metadata").GetProperty("labels").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);
        Ports = Spec.TryGetProperty("ports", out var ports)
            ? ports.EnumerateArray().Select(p => (Name: p.TryGetProperty("name", out var n) ? n.GetString() : null, Port: p.GetProperty("containerPort").GetInt32())).ToList()
            : [];
        Environment = ContainerEnvironment.Render(objects, Spec, secrets, PodName);
        Probes = new[] { "startupProbe", "livenessProbe", "readinessProbe" }
            .Where(kind => Spec.TryGetProperty(kind, out _))
            .Select(kind => Probe(kind, Spec.GetProperty(kind)))
            .ToList();
        var services = objects.ServicesSelecting(PodLabels).ToList();
        Aliases = services.Select(KubernetesObjects.NameOf).ToList();
        ServicePorts = services.SelectMany(service => service.GetProperty("spec").GetProperty("ports").EnumerateArray().Select(port =>
            (KubernetesObjects.NameOf(service), port.GetProperty("port").GetInt32(),
                port.TryGetProperty("targetPort", out var target) ? ContainerPort(target) : port.GetProperty("port").GetInt32()))).ToList();
    }

    /// <summary>The workload's name (a Deployment's or a StatefulSet's).</summary>
    public string Deployment { get; }

    /// <summary>The pod's name, which is also its host name.</summary>
    public string PodName { get; }

    /// <summary>The container as the manifest has it.</summary>
    public JsonElement Spec { get; }

    public IReadOnlyDictionary<string, string> PodLabels { get; }

    /// <summary>Container ports, by name where named.</summary>
    public IReadOnlyList<(string? Name, int Port)> Ports { get; }

    public IReadOnlyList<EnvironmentEntry> Environment { get; }

    public IReadOnlyList<ProbeSpec> Probes { get; }

    /// <summary>The names of the Services in front of this pod: what other pods reach it by.</summary>
    public IReadOnlyList<string> Aliases { get; }

    /// <summary>
    /// Each Service port and the container port it sends to. The test's network gives the pod the Services' names
    /// but translates no port: where the two differ, other pods reach the container port of the Service's number.
    /// </summary>
    public IReadOnlyList<(string Service, int Port, int ContainerPort)> ServicePorts { get; }

    /// <summary>The pod's grace period between SIGTERM and SIGKILL.</summary>
    public int TerminationGracePeriodSeconds => _pod.TryGetProperty("terminationGracePeriodSeconds", out var g) ? g.GetInt32() : 30;

    /// <summary>A setting of the container's security context, else the pod's.</summary>
    public JsonElement? Security(string name) =>
        Spec.TryGetProperty("securityContext", out var container) && container.TryGetProperty(name, out var value) ? value
        : _pod.TryGetProperty("securityContext", out var pod) && pod.TryGetProperty(name, out var podValue) ? podValue
        : null;

    /// <summary>Capabilities the container adds or drops (<paramref name="which"/>: add or drop).</summary>
    public IReadOnlyList<string> Capabilities(string which) =>
        Spec.TryGetProperty("securityContext", out var security) && security.TryGetProperty("capabilities", out var caps) && caps.TryGetProperty(which, out var list)
            ? list.EnumerateArray().Select(c => c.GetString()!).ToList()
            : [];

    /// <summary>A port by number, or by the name of one of the container's ports.</summary>
    public int ContainerPort(JsonElement port) =>
        port.ValueKind == JsonValueKind.Number
            ? port.GetInt32()
            : Ports.SingleOrDefault(p => p.Name == port.GetString()) is { Name: not null } named
                ? named.Port
                : throw new InvalidOperationException($"{Deployment} has no container port named {port.GetString()}.");

    /// <summary>The volumes mounted into the container: the mount and the pod volume it names.</summary>
    public IEnumerable<(JsonElement Mount, JsonElement Volume)> Mounts()
    {
        if (!Spec.TryGetProperty("volumeMounts", out var mounts))
        {
            yield break;
        }

        var volumes = _pod.GetProperty("volumes").EnumerateArray().ToDictionary(v => v.GetProperty("name").GetString()!);
        foreach (var mount in mounts.EnumerateArray())
        {
            yield return (mount, volumes[mount.GetProperty("name").GetString()!]);
        }
    }

    /// <summary>The memory limit, in bytes (null without one).</summary>
    public long? MemoryLimit() =>
        Spec.TryGetProperty("resources", out var resources) && resources.TryGetProperty("limits", out var limits) && limits.TryGetProperty("memory", out var memory)
            ? Quantity(memory.GetString()!)
            : null;

    private ProbeSpec Probe(string kind, JsonElement probe)
    {
        int Field(string name, int fallback) => probe.TryGetProperty(name, out var v) ? v.GetInt32() : fallback;
        var budget = TimeSpan.FromSeconds(Field("initialDelaySeconds", 0) + (Field("periodSeconds", 10) * Field("failureThreshold", 3)));
        if (probe.TryGetProperty("httpGet", out var http))
        {
            return new ProbeSpec(kind, http.TryGetProperty("path", out var path) ? path.GetString() : "/", ContainerPort(http.GetProperty("port")), null, budget);
        }

        if (probe.TryGetProperty("tcpSocket", out var tcp))
        {
            return new ProbeSpec(kind, null, ContainerPort(tcp.GetProperty("port")), null, budget);
        }

        return probe.TryGetProperty("exec", out var exec)
            ? new ProbeSpec(kind, null, null, exec.GetProperty("command").EnumerateArray().Select(c => c.GetString()!).ToList(), budget)
            : throw new NotSupportedException($"{Deployment} {kind}: only httpGet, tcpSocket and exec probes are run by this test.");
    }

    // Kubernetes resource quantities: 512Mi, 1Gi, 1G, 1000000.
    private static long Quantity(string value)
    {
        string[] binary = ["Ki", "Mi", "Gi", "Ti"];
        string[] decimalSuffixes = ["k", "M", "G", "T"];
        for (var i = 0; i < binary.Length; i++)
        {
            if (value.EndsWith(binary[i], StringComparison.Ordinal))
            {
                return long.Parse(value[..^2], CultureInfo.InvariantCulture) << (10 * (i + 1));
            }

            if (value.EndsWith(decimalSuffixes[i], StringComparison.Ordinal))
            {
                return long.Parse(value[..^1], CultureInfo.InvariantCulture) * (long)Math.Pow(1000, i + 1);
            }
        }

        return long.Parse(value, CultureInfo.InvariantCulture);
    }
}
