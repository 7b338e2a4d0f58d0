using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Vapora.Contracts;
using Vapora.RealtimeGateway.Hub;
using Vapora.RealtimeGateway.Internal;
using Vapora.ServiceDefaults.Redis;

namespace Vapora.RealtimeGateway.Broker;

/// <summary>
/// Hears the API replicas' heartbeats (<see cref="ApiHeartbeat"/>). A replica heard before and silent now, while this
/// gateway's own link delivers, cannot reach Redis: its updates are stored but not published, and only reading the API
/// shows them (the degraded mode). A replica that said it leaves is forgotten at once; one silent for longer than
/// <see cref="HubOptions.ConvergenceCheckInterval"/> (a crash, or a link that stays dead) too, as from then on the
/// convergence check finds what it missed anyway.
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
    private readonly ConcurrentDictionary<string, Sender> _senders = new(StringComparer.Ordinal);

    public ApiHeartbeatListener(IConnectionMultiplexer redis, RedisWorkflowChannels channels, BackplaneMonitor monitor,
        IOptions<BackplaneOptions> backplane, IOptions<HubOptions> hub, TimeProvider time, IMeterFactory meters, ILogger<ApiHeartbeatListener> logger)
    {
        _redis = redis;
        _channels = channels;
        _monitor = monitor;
        _silenceThreshold = backplane.Value.BackplaneSilenceThreshold;
        _forgetAfter = hub.Value.ConvergenceCheckInterval;
        _time = time;
        _logger = logger;
        meters.Create(GatewayMetrics.MeterName).CreateObservableGauge("vapora.gateway.api_publishers.silent", () => CountSilent(), "{replica}",
            "API replicas heard before whose heartbeat stopped while this gateway's Redis link delivers (their updates may not reach Redis).");
    }

    /// <summary>True when some API replica is silent now; <paramref name="instance"/> names the one silent longest.</summary>
    public bool TryFindSilent(out string instance, out TimeSpan silentFor)
    {
        (instance, silentFor) = (string.Empty, TimeSpan.Zero);
        foreach (var (name, sender) in _senders)
        {
            var silent = SilentFor(sender);
            if (silent >= _forgetAfter)
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
                var queue = await _redis.GetSubscriber().SubscribeAsync(_channels.ApiHeartbeat);
                queue.OnMessage(message => OnHeartbeat(message.Message));
                await Task.Delay(Timeout.InfiniteTimeSpan, _time, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
                await queue.UnsubscribeAsync().WaitAsync(TimeSpan.FromSeconds(1), _time, CancellationToken.None).ContinueWith(_ => { }, TaskScheduler.Default);
                return;
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException && !stoppingToken.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromSeconds(1), _time, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    private void OnHeartbeat(RedisValue message)
    {
        if (!ApiHeartbeat.TryParse(message, out var beat))
        {
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
    /// Silence counts only while this gateway's own link delivers: after its own outage every replica was unheard, and
    /// that says nothing about them.
    /// </summary>
    private TimeSpan SilentFor(Sender sender) =>
        new[] { _time.GetElapsedTime(Volatile.Read(ref sender.LastHeard)), _monitor.SinceDeliveringAgain }.Min();

    private TimeSpan Threshold(Sender sender) => sender.Interval * 2 > _silenceThreshold ? sender.Interval * 2 : _silenceThreshold;

    private int CountSilent() => _senders.Values.Count(s => SilentFor(s) is var silent && silent >= Threshold(s) && silent < _forgetAfter);

    private sealed class Sender
    {
        public long LastHeard;
        public TimeSpan Interval;
        public bool Reported;
    }
}
