using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Vapora.Contracts;
using Vapora.ServiceDefaults.Redis;
using Vapora.WorkflowApi.Internal;

namespace Vapora.WorkflowApi.Messaging;

/// <summary>
/// Sends this replica's <see cref="ApiHeartbeat"/> every <see cref="PublishingOptions.HeartbeatInterval"/> on the
/// connection its updates use. When that link goes quiet (no FIN, no RST: bytes just stop) nothing tells the gateways
/// that this replica's updates stopped flowing; the missing heartbeat does, so they read the API instead of waiting
/// for the link or their convergence check. At a planned stop it says so, and gateways forget it at once.
/// </summary>
internal sealed class HeartbeatSender(IConnectionMultiplexer redis, RedisWorkflowChannels channels, IOptions<PublishingOptions> options,
    TimeProvider time, ILogger<HeartbeatSender> logger) : BackgroundService
{
    private static readonly string Instance = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}";
    private readonly TimeSpan _interval = options.Value.HeartbeatInterval;
    private bool _failing;

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        // Briefly: a stop must not wait on a dead link (gateways then forget this replica after their own bound).
        await SendAsync(new ApiHeartbeat(Instance, TimeSpan.Zero), TimeSpan.FromMilliseconds(250), CancellationToken.None);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var ticks = new PeriodicTimer(_interval, time);
        var beat = new ApiHeartbeat(Instance, _interval);
        try
        {
            do
            {
                await SendAsync(beat, _interval, stoppingToken);
            }
            while (await ticks.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task SendAsync(ApiHeartbeat beat, TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            // Bounded (by the interval while running): a silent link must not pile heartbeats up behind it.
            await redis.GetSubscriber().PublishAsync(channels.ApiHeartbeat, beat.Encode(), CommandFlags.DemandMaster)
                .WaitAsync(timeout, time, cancellationToken);
            if (_failing)
            {
                _failing = false;
                OutboxLog.HeartbeatSentAgain(logger);
            }
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            if (!_failing)
            {
                _failing = true;
                OutboxLog.HeartbeatFailed(logger, ex.Message);
            }
        }
    }
}
