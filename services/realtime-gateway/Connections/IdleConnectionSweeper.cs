using Microsoft.Extensions.Options;
using Vapora.Contracts;
using Vapora.RealtimeGateway.Internal;

namespace Vapora.RealtimeGateway.Connections;

/// <summary>
/// Closes connections that watch nothing for <c>Gateway:IdleConnectionTimeout</c> (a <c>/ws</c> that never subscribed
/// or unsubscribed everything, an event stream whose workflows all ended in errors) with <see cref="CloseReason.Idle"/>:
/// a socket that may read but watches nothing still holds a slot of the connection limits.
/// </summary>
/// <remarks>One sweep over the registry a few times per timeout instead of a timer per connection (idle connections are many).</remarks>
internal sealed class IdleConnectionSweeper(ConnectionRegistry registry, IOptions<ConnectionOptions> options, GatewayMetrics metrics, TimeProvider time,
    ILogger<IdleConnectionSweeper> logger) : BackgroundService
{
    private readonly TimeSpan _timeout = options.Value.IdleConnectionTimeout;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var period = TimeSpan.FromTicks(Math.Max(_timeout.Ticks / 4, TimeSpan.FromMilliseconds(250).Ticks));
        using var timer = new PeriodicTimer(period, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                Sweep();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private void Sweep()
    {
        var closed = 0;
        foreach (var connection in registry.Connections)
        {
            if (!connection.IsClosing && connection.Subscriptions.IdleFor() >= _timeout)
            {
                metrics.InboundRejected("idle");
                connection.Close(CloseReason.Idle);
                closed++;
            }
        }

        if (closed > 0)
        {
            GatewayLog.IdleConnectionsClosed(logger, closed, _timeout);
        }
    }
}
