using System.Net;
using System.Net.Sockets;

namespace Vapora.Testing;

/// <summary>
/// Free loopback ports for servers the tests start. They are drawn below the kernel's ephemeral range
/// (<c>/proc/sys/net/ipv4/ip_local_port_range</c>): a port from bind-to-0 is released before the server binds it,
/// and in that moment any outgoing connection (the tests make thousands) may take it as its local port, which
/// fails the server with "Address already in use". Below the range only listeners compete, and no port is handed
/// out twice by one test process.
/// </summary>
public static class TestPorts
{
    private const int Lowest = 10_000;
    private const int ClusterBusOffset = 10_000;
    private static readonly int EphemeralLow = ReadEphemeralLow();
    private static readonly HashSet<int> HandedOut = [];

    /// <summary>A port that is free now, outside the ephemeral range, not handed out before by this process.</summary>
    public static int GetFree() => Draw(EphemeralLow, bus: false);

    /// <summary>
    /// A free port whose Redis Cluster bus port (port + 10000) is free too: a cluster node binds both.
    /// </summary>
    public static int GetFreeClusterPort() => Draw(EphemeralLow - ClusterBusOffset, bus: true);

    private static int Draw(int below, bool bus)
    {
        for (var attempt = 0; attempt < 200 && below > Lowest; attempt++)
        {
            var port = Random.Shared.Next(Lowest, below);
            lock (HandedOut)
            {
                if (HandedOut.Contains(port) || (bus && HandedOut.Contains(port + ClusterBusOffset))
                    || !CanBind(port) || (bus && !CanBind(port + ClusterBusOffset)))
                {
                    continue;
                }

                HandedOut.Add(port);
                if (bus)
                {
                    HandedOut.Add(port + ClusterBusOffset);
                }

                return port;
            }
        }

        throw new InvalidOperationException(
            $"No free port{(bus ? " with a free cluster bus port (port + 10000)" : string.Empty)} between {Lowest} and {below} " +
            $"(below the ephemeral range starting at {EphemeralLow}) after 200 attempts.");
    }

    private static bool CanBind(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static int ReadEphemeralLow()
    {
        try
        {
            var range = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            return int.Parse(range[0], System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return 32_768;  // Linux's default
        }
    }
}
