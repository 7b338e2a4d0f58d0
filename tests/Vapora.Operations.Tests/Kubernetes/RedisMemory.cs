using System.Globalization;
using System.Net.Sockets;
using System.Text;
using StackExchange.Redis;
using Vapora.Testing;

namespace Vapora.Operations.Tests.Kubernetes;

/// <summary>Redis memory settings as the manifests give them, and a subscriber that stops reading, as a stuck gateway does.</summary>
internal static class RedisMemory
{
    /// <summary>redis-server's <c>--name value</c> arguments by name (the program name, if first, is skipped).</summary>
    public static IReadOnlyDictionary<string, string> Flags(IEnumerable<string> arguments)
    {
        var list = arguments.SkipWhile(a => !a.StartsWith("--", StringComparison.Ordinal)).ToList();
        var flags = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < list.Count; i += 2)
        {
            flags[list[i][2..]] = list[i + 1];
        }

        return flags;
    }

    /// <summary>The memory flags of the base's single Redis, ready for a redis-server on this machine.</summary>
    public static async Task<string[]> ManifestArgumentsAsync()
    {
        var redis = (await Manifests.RenderAsync("overlays/production")).Find("StatefulSet", "redis").PodSpec().GetProperty("containers")[0];
        return Flags(redis.GetProperty("args").Strings())
            .Where(f => f.Key.StartsWith("maxmemory", StringComparison.Ordinal) || f.Key == "client-output-buffer-limit")
            .SelectMany(f => new[] { "--" + f.Key, f.Value })
            .ToArray();
    }

    /// <summary>
    /// Logs in as the gateways' user, subscribes to <paramref name="channel"/> and never reads again. Its receive
    /// buffer is kept small, so what it does not read piles up in Redis's output buffer for it, not in the kernel.
    /// </summary>
    public static async Task<Socket> StalledSubscriberAsync(int port, string name, string channel)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
        await socket.ConnectAsync("127.0.0.1", port);
        var commands = Command("AUTH", RedisAcl.GatewayUser, RedisAcl.PasswordOf(RedisAcl.GatewayUser))
            + Command("CLIENT", "SETNAME", name) + Command("SUBSCRIBE", channel);
        await socket.SendAsync(Encoding.UTF8.GetBytes(commands));
        var received = new StringBuilder();
        var buffer = new byte[1024];
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!received.ToString().Contains(channel, StringComparison.Ordinal))
        {
            var read = await socket.ReceiveAsync(buffer, SocketFlags.None, deadline.Token);
            if (read == 0)
            {
                throw new InvalidOperationException("Redis closed the subscriber: " + received);
            }

            received.Append(Encoding.UTF8.GetString(buffer, 0, read));
        }

        return socket;
    }

    /// <summary>Output-buffer bytes (omem) of each connected client whose name starts with <paramref name="prefix"/>.</summary>
    public static async Task<Dictionary<string, long>> OutputBuffersAsync(IConnectionMultiplexer admin, int port, string prefix)
    {
        var list = (string)(await admin.GetServer("127.0.0.1", port).ExecuteAsync("CLIENT", "LIST"))!;
        return list.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(' ').Select(f => f.Split('=', 2)).Where(f => f.Length == 2).ToDictionary(f => f[0], f => f[1]))
            .Where(fields => fields.TryGetValue("name", out var n) && n.StartsWith(prefix, StringComparison.Ordinal))
            .ToDictionary(fields => fields["name"], fields => long.Parse(fields["omem"], CultureInfo.InvariantCulture));
    }

    /// <summary>A field of INFO (e.g. evicted_clients).</summary>
    public static async Task<long> InfoAsync(IConnectionMultiplexer admin, int port, string field)
    {
        var info = (string)(await admin.GetServer("127.0.0.1", port).ExecuteAsync("INFO", "everything"))!;
        var line = info.Split("\r\n").Single(l => l.StartsWith(field + ":", StringComparison.Ordinal));
        return long.Parse(line[(field.Length + 1)..], CultureInfo.InvariantCulture);
    }

    /// <summary>The highest resident memory the process ever had (VmHWM), in bytes.</summary>
    public static long PeakResidentBytes(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").Single(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
    }

    private static string Command(params string[] parts) =>
        $"*{parts.Length}\r\n" + string.Concat(parts.Select(p => $"${Encoding.UTF8.GetByteCount(p)}\r\n{p}\r\n"));
}
