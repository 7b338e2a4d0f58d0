using System.Diagnostics;
using System.Globalization;
using Vapora.Bench.Measurement;

namespace Vapora.Bench.Targets;

/// <summary>
/// PIDs of helper processes this harness started whose wrappers (RedisServer, NginxServer) do not expose them:
/// looked up among the harness's own children only, never system-wide.
/// </summary>
internal static class ChildProcesses
{
    /// <summary>The redis-server child listening on <paramref name="port"/> (its title is "redis-server 127.0.0.1:port").</summary>
    public static int RedisServer(int port)
    {
        var endpoint = ":" + port.ToString(CultureInfo.InvariantCulture);
        foreach (var pid in ProcessSample.ChildrenOf(Environment.ProcessId))
        {
            if (ProcessSample.NameOf(pid) == "redis-server" && CommandLineOf(pid).Contains(endpoint, StringComparison.Ordinal))
            {
                return pid;
            }
        }

        throw new UnreachableException($"The redis-server on port {port} is not a child process of this harness.");
    }

    /// <summary>The children now, to tell which one a start added.</summary>
    public static HashSet<int> Snapshot() => [.. ProcessSample.ChildrenOf(Environment.ProcessId)];

    /// <summary>A child named <paramref name="name"/> that was not in <paramref name="before"/>.</summary>
    public static int Added(HashSet<int> before, string name) =>
        ProcessSample.ChildrenOf(Environment.ProcessId).FirstOrDefault(pid => !before.Contains(pid) && ProcessSample.NameOf(pid) == name) is var pid and > 0
            ? pid
            : throw new UnreachableException($"No new {name} child process of this harness.");

    private static string CommandLineOf(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ');
        }
        catch (IOException)
        {
            return string.Empty;
        }
    }
}
