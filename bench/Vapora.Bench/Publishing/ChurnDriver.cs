using System.Diagnostics;
using System.Globalization;
using System.Net.WebSockets;
using System.Text;
using StackExchange.Redis;
using Vapora.Bench.Cli;
using Vapora.Bench.Targets;
using Vapora.Contracts.WebSockets;

namespace Vapora.Bench.Publishing;

/// <summary>
/// <c>--churn R</c>: R subscribe + unsubscribe pairs per second on a few <c>/ws</c> sockets, paced, while the run's
/// clients watch; cycles through <c>--churn-workflows</c> workflows nobody else watches (each then costs the gateway a
/// Redis SUBSCRIBE and, after the grace period, an UNSUBSCRIBE) or, without it, through the watched ones (no Redis
/// command expected). Redis's own command counters (INFO commandstats) say what reached Redis.
/// </summary>
internal sealed class ChurnDriver : IAsyncDisposable
{
    private const int Sockets = 20;
    private static readonly byte[] Unsubscribed = "\"type\":\"unsubscribed\""u8.ToArray();

    private readonly ConnectionMultiplexer _redis;
    private readonly List<ClientWebSocket> _sockets = [];
    private readonly List<Task> _loops = [];
    private readonly CancellationTokenSource _stop = new();
    private long _pairs;

    private ChurnDriver(ConnectionMultiplexer redis) => _redis = redis;

    public static async Task<ChurnDriver> StartAsync(VaporaTarget target, LoadOptions options, CancellationToken cancellationToken)
    {
        if (options.Cluster != RedisTopology.None)
        {
            throw new UsageException("--churn counts Redis commands on the one redis-server: use it without --cluster.");
        }

        var ids = target.ChurnWorkflowIds.Count > 0 ? target.ChurnWorkflowIds : target.WorkflowIds;
        var driver = new ChurnDriver(await ConnectionMultiplexer.ConnectAsync(target.RedisConnectionString + ",allowAdmin=true"));
        try
        {
            for (var s = 0; s < Sockets; s++)
            {
                var socket = new ClientWebSocket();
                driver._sockets.Add(socket);
                await socket.ConnectAsync(target.MultiplexUrl, cancellationToken);
            }

            var started = Stopwatch.GetTimestamp();
            var interval = Stopwatch.Frequency * Sockets / (double)options.Churn;
            for (var s = 0; s < Sockets; s++)
            {
                driver._loops.Add(driver.ReadAsync(driver._sockets[s]));
                driver._loops.Add(driver.ChurnAsync(driver._sockets[s], ids, s, started + (long)(interval * s / Sockets), interval));
            }
        }
        catch
        {
            await driver.DisposeAsync();
            throw;
        }

        return driver;
    }

    public async Task<ChurnCounts> CountsAsync()
    {
        var server = _redis.GetServer(_redis.GetEndPoints()[0]);
        var stats = (await server.InfoAsync("commandstats")).SelectMany(g => g).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        return new ChurnCounts(Interlocked.Read(ref _pairs), Calls(stats, "cmdstat_subscribe"), Calls(stats, "cmdstat_unsubscribe"));
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        foreach (var socket in _sockets)
        {
            socket.Abort();
        }

        await Task.WhenAll(_loops);
        foreach (var socket in _sockets)
        {
            socket.Dispose();
        }

        await _redis.DisposeAsync();
        _stop.Dispose();
    }

    // "calls=12,usec=34,usec_per_call=2.83,rejected_calls=0,failed_calls=0"
    private static long Calls(Dictionary<string, string> stats, string key) =>
        stats.TryGetValue(key, out var value) && value.Split(',')[0] is var calls && calls.StartsWith("calls=", StringComparison.Ordinal)
            ? long.Parse(calls["calls=".Length..], CultureInfo.InvariantCulture)
            : 0;

    private async Task ChurnAsync(ClientWebSocket socket, IReadOnlyList<string> ids, int first, long next, double interval)
    {
        try
        {
            for (var k = first; !_stop.IsCancellationRequested; k += Sockets)
            {
                var wait = (next - Stopwatch.GetTimestamp()) * 1000 / Stopwatch.Frequency;
                if (wait > 0)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(wait), _stop.Token);
                }

                var id = ids[k % ids.Count];
                // The gateway handles a socket's frames one at a time: the unsubscribe follows the finished subscribe.
                await socket.SendAsync(Encoding.UTF8.GetBytes($$"""{"type":"subscribe","workflow_id":"{{id}}"}"""), WebSocketMessageType.Text, true, _stop.Token);
                await socket.SendAsync(Encoding.UTF8.GetBytes($$"""{"type":"unsubscribe","workflow_id":"{{id}}"}"""), WebSocketMessageType.Text, true, _stop.Token);
                next += (long)interval;
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or ObjectDisposedException)
        {
        }
    }

    private async Task ReadAsync(ClientWebSocket socket)
    {
        using var reader = new WebSocketMessageReader(socket);
        try
        {
            while (true)
            {
                var message = await reader.ReceiveAsync(_stop.Token);
                if (message.IsClose)
                {
                    return;
                }

                if (message.Bytes.Span.IndexOf(Unsubscribed) >= 0)
                {
                    Interlocked.Increment(ref _pairs);
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or ObjectDisposedException)
        {
        }
    }
}
