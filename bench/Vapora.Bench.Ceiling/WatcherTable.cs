using System.Net.WebSockets;

namespace Vapora.Bench.Ceiling;

/// <summary>The sockets of each workflow, indexed by workflow number. Copy-on-write, so the fan-out reads without locks.</summary>
public sealed class WatcherTable(int workflows)
{
    private readonly WebSocket[][] _sockets = CreateEmpty(workflows);
    private int _count;

    public int Workflows => _sockets.Length;

    /// <summary>Sockets registered right now (the harness waits for all of its clients before it publishes).</summary>
    public int Count => Volatile.Read(ref _count);

    public WebSocket[] Of(int workflow) => Volatile.Read(ref _sockets[workflow]);

    public void Add(int workflow, WebSocket socket)
    {
        lock (_sockets)
        {
            _sockets[workflow] = [.. _sockets[workflow], socket];
            _count++;
        }
    }

    public void Remove(int workflow, WebSocket socket)
    {
        lock (_sockets)
        {
            var current = _sockets[workflow];
            var index = Array.IndexOf(current, socket);
            if (index >= 0)
            {
                _sockets[workflow] = [.. current[..index], .. current[(index + 1)..]];
                _count--;
            }
        }
    }

    private static WebSocket[][] CreateEmpty(int workflows)
    {
        var table = new WebSocket[workflows][];
        Array.Fill(table, []);
        return table;
    }
}
