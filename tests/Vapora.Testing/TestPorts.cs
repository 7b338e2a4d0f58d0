using System.Net;
using System.Net.Sockets;

namespace Vapora.Testing;

/// <summary>Free loopback ports for servers the tests start.</summary>
public static class TestPorts
{
    /// <summary>A port that was free a moment ago (bind to 0, read, release).</summary>
    public static int GetFree()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>
    /// A free port whose Redis Cluster bus port (port + 10000) is free too: a cluster node binds both.
    /// </summary>
    public static int GetFreeClusterPort()
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var port = GetFree();
            if (port + 10_000 > IPEndPoint.MaxPort)
            {
                continue;
            }

            try
            {
                using var bus = new TcpListener(IPAddress.Loopback, port + 10_000);
                bus.Start();
                return port;
            }
            catch (SocketException)
            {
                // The bus port is taken; try another.
            }
        }

        throw new InvalidOperationException("No free port with a free cluster bus port (port + 10000) after 100 attempts.");
    }
}
