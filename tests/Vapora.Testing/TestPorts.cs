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
}
