using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Vapora.Contracts;
using Vapora.RealtimeGateway.Broker;
using Vapora.RealtimeGateway.Internal;
using Vapora.ServiceDefaults.Redis;

namespace Vapora.RealtimeGateway.Hub;

/// <summary>
/// Hears the API replicas' heartbeats (<see cref="ApiHeartbeat"/>). A replica heard before and silent now, while this
/// gateway's own link delivers, cannot reach Redis: its updates are stored but not published, and only reading the API
/// shows them (the degraded mode). A replica that said it leaves is forgotten at once; one silent for longer than
/// <see cref="HubOptions.ConvergenceCheckInterval"/> (a crash, or a link that stays dead) too, as from then on the
/// convergence check finds what it missed anyway. On a Redis Cluster with sharded pub/sub the heartbeat channel lives
/// on one shard: it shows a replica's link to that shard's primary only.
/// </summary>
internal sealed class ApiHeartbeatListener : BackgroundService
{
    private readonly IConnectionMultiplexer _redis;
    private readonly RedisWorkflowChannels _channels;
    private readonly BackplaneMonitor _monitor;
    private readonly TimeSpan _silenceThreshold;
    private readonly TimeSpan _forgetAfter;
    private readonly TimeProvider _time;
    private readonly ILogger<ApiHeartbeatListener> _logger;
    private readonly GatewayMetrics _metrics;
    private readonly ConcurrentDictionary<string, Sender> _senders = new(StringComparer.Ordinal);

    public ApiHeartbeatListener(IConnectionMultiplexer redis, RedisWorkflowChannels channels, BackplaneMonitor monitor,
        IOptions<BackplaneOptions> backplane, IOptions<HubOptions> hub, TimeProvider time, IMeterFactory meters, GatewayMetrics metrics, ILogger<ApiHeartbeatListener> logger)
    {
        _redis = redis;
        _channels = channels;
        _monitor = monitor;
        _silenceThreshold = backplane.Value.BackplaneSilenceThreshold;
        _forgetAfter = hub.Value.ConvergenceCheckInterval;
        _time = time;
        _logger = logger;
        _metrics = metrics;
        var meter = meters.Create(GatewayMetrics.MeterName);
        meter.CreateObservableGauge("vapora.gateway.api_publishers.silent", () => CountSilent(), "{replica}",
            "API replicas heard before whose heartbeat stopped while this gateway's Redis link delivers (their updates may not reach Redis).");
        meter.CreateObservableGauge("vapora.gateway.api_publishers.known", () => _senders.Count, "{replica}",
            "API replicas whose heartbeat this gateway has heard and not forgotten (only these can be noticed going silent).");
    }

    /// <summary>True when some API replica is silent now; <paramref name="instance"/> names the one silent longest.</summary>
    public bool TryFindSilent(out string instance, out TimeSpan silentFor)
    {
        (instance, silentFor) = (string.Empty, TimeSpan.Zero);
        foreach (var (name, sender) in _senders)
        {
            var silent = SilentFor(sender);
            if (silent >= ForgetAfter(sender))
            {
                if (_senders.TryRemove(new KeyValuePair<string, Sender>(name, sender)))
                {
                    BackplaneLog.ApiReplicaForgotten(_logger, name, silent.TotalSeconds);
                }
            }
            else if (silent >= Threshold(sender) && silent > silentFor)
            {
                (instance, silentFor) = (name, silent);
                if (!sender.Reported)
                {
                    sender.Reported = true;
                    BackplaneLog.ApiReplicaSilent(_logger, name, silent.TotalSeconds);
                }
            }
        }

        return silentFor > TimeSpan.Zero;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Redis may be away at start: try until subscribed; from then on the client restores the subscription by itself.
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                // A handler, not a queue: nothing buffers messages nobody reads.
                await _redis.GetSubscriber().SubscribeAsync(_channels.ApiHeartbeat, (_, message) => OnHeartbeat(message));
                await Task.Delay(Timeout.InfiniteTimeSpan, _time, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
                await UnsubscribeAsync();
                return;
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException && !stoppingToken.IsCancellationRequested)
            {
                // The client attaches the handler before the server confirms: remove it, or every retry would add one.
                await UnsubscribeAsync();
                BackplaneLog.ApiHeartbeatSubscribeFailed(_logger, ex.Message);
                await Task.Delay(TimeSpan.FromSeconds(1), _time, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    private async Task UnsubscribeAsync()
    {
        try
        {
            await _redis.GetSubscriber().UnsubscribeAsync(_channels.ApiHeartbeat).WaitAsync(TimeSpan.FromSeconds(1), _time);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            // Gone with the connection anyway.
        }
    }

    private void OnHeartbeat(RedisValue message)
    {
        if (!ApiHeartbeat.TryParse(message, out var beat))
        {
            _metrics.MessageDropped("malformed");
            return;
        }

        if (beat.IsLeaving)
        {
            _senders.TryRemove(beat.Instance, out _);
            return;
        }

        var now = _time.GetTimestamp();
        var sender = _senders.GetOrAdd(beat.Instance, static _ => new Sender());
        sender.Interval = beat.Interval;
        if (sender.Reported)
        {
            sender.Reported = false;
            BackplaneLog.ApiReplicaHeard(_logger, beat.Instance, _time.GetElapsedTime(Volatile.Read(ref sender.LastHeard), now).TotalSeconds);
        }

        Volatile.Write(ref sender.LastHeard, now);
    }

    /// <summary>
    /// Silence counts only while this gateway's own link delivers, and only since it does: during and after its own
    /// outage every replica was unheard, and that says nothing about them.
    /// </summary>
    private TimeSpan SilentFor(Sender sender)
    {
        if (!_monitor.IsDelivering)
        {
            return TimeSpan.Zero;
        }

        var sinceHeard = _time.GetElapsedTime(Volatile.Read(ref sender.LastHeard));
        var sinceOwnLinkBack = _monitor.SinceDeliveringAgain;
        return sinceHeard < sinceOwnLinkBack ? sinceHeard : sinceOwnLinkBack;
    }

    private TimeSpan Threshold(Sender sender) => sender.Interval * 2 > _silenceThreshold ? sender.Interval * 2 : _silenceThreshold;

    /// <summary>Never before the replica could count as silent at all, whatever the settings.</summary>
    private TimeSpan ForgetAfter(Sender sender) => _forgetAfter > 2 * Threshold(sender) ? _forgetAfter : 2 * Threshold(sender);

    private int CountSilent() => _senders.Values.Count(s => SilentFor(s) is var silent && silent >= Threshold(s) && silent < ForgetAfter(s));

    private sealed class Sender
    {
        public long LastHeard;
        public TimeSpan Interval;
        public bool Reported;
    }
}
