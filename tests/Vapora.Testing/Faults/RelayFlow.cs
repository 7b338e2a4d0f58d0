using System.Net.Sockets;

namespace Vapora.Testing.Faults;

/// <summary>One relayed connection: the accepted client socket, its upstream socket and a pipe each way.</summary>
internal sealed class RelayFlow : IDisposable
{
    private readonly Socket _client;
    private readonly Socket _upstream;
    private readonly CancellationTokenSource _stop = new();
    private int _disposed;

    public RelayFlow(Socket client, Socket upstream)
    {
        _client = client;
        _upstream = upstream;
    }

    /// <summary>Set when a <see cref="HopFault.Dropped"/> outage forgot this flow: it never carries a byte again.</summary>
    public bool Forgotten { get; set; }

    public Task RunAsync(TcpRelay relay)
    {
        var token = _stop.Token;
        return Task.WhenAll(
            new RelayPipe(_client, _upstream, this, relay).RunAsync(token),
            new RelayPipe(_upstream, _client, this, relay).RunAsync(token));
    }

    /// <summary>A side reset or failed: reset the other one too (what a TCP proxy does), unless the flow was forgotten.</summary>
    public void Abort()
    {
        if (Forgotten)
        {
            return;
        }

        foreach (var socket in new[] { _client, _upstream })
        {
            try
            {
                socket.LingerState = new LingerOption(true, 0);
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
            }
        }

        Dispose();
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _stop.Cancel();
        _client.Dispose();
        _upstream.Dispose();
        _stop.Dispose();
    }
}
