using System.Collections.Concurrent;
using StackExchange.Redis;
using Vapora.Contracts;
using Vapora.ServiceDefaults.Redis;

namespace Vapora.RealtimeGateway.Broker;

/// <summary>
/// Publishes to this process's own probe channel and waits to hear it back: proof that the subscription
/// connection really delivers (a socket can look connected while its subscriptions are gone). In sharded mode a
/// channel lives on one cluster node only, so there is one probe channel per primary (its hash tag picked to land
/// in a slot that primary owns) and every one of them must come back.
/// </summary>
internal sealed class BackplaneProbe : IAsyncDisposable
{
    private const int MaxHashTagSearch = 100_000;

    private readonly IConnectionMultiplexer _redis;
    private readonly RedisWorkflowChannels _channels;
    private readonly string _instanceId = Guid.NewGuid().ToString("N");
    private readonly ConcurrentDictionary<long, TaskCompletionSource> _waiting = new();
    private readonly ConcurrentDictionary<RedisChannel, ChannelMessageQueue> _queues = new();
    private readonly SemaphoreSlim _subscribe = new(1, 1);
    private long _nonce;

    public BackplaneProbe(IConnectionMultiplexer redis, RedisWorkflowChannels channels)
    {
        _redis = redis;
        _channels = channels;
    }

    /// <summary>True when a message published now to every probe channel came back within <paramref name="timeout"/>.</summary>
    public async Task<bool> RoundTripAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            var targets = ProbeChannels();
            if (targets.Count == 0)
            {
                return false;
            }

            var results = await Task.WhenAll(targets.Select(channel => RoundTripAsync(channel, timeout, cancellationToken)));
            return results.All(ok => ok);
        }
        catch (Exception ex) when (ex is RedisException or RedisCommandException or TimeoutException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var queue in _queues.Values)
        {
            try
            {
                await queue.UnsubscribeAsync();
            }
            catch (RedisException)
            {
            }
        }

        _subscribe.Dispose();
    }

    private async Task<bool> RoundTripAsync(RedisChannel channel, TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            await EnsureSubscribedAsync(channel, cancellationToken).WaitAsync(timeout, cancellationToken);
            var nonce = Interlocked.Increment(ref _nonce);
            var heard = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiting[nonce] = heard;
            try
            {
                await PublishAsync(channel, nonce).WaitAsync(timeout, cancellationToken);
                await heard.Task.WaitAsync(timeout, cancellationToken);
                return true;
            }
            finally
            {
                _waiting.TryRemove(nonce, out _);
            }
        }
        catch (Exception ex) when (ex is RedisException or RedisCommandException or TimeoutException)
        {
            return false;
        }
    }

    /// <summary>
    /// Classic mode publishes on a primary, as the API does: without one (a Sentinel failover under way) the gateway is
    /// not ready. The subscriber API would send the PUBLISH to whichever server holds this process's subscription to
    /// the channel, which after a failover may be a replica; a PUBLISH on a primary reaches that subscription through
    /// replication, as the API's updates do. In a cluster the subscriber API is right: an SPUBLISH sent to a replica
    /// that holds the shard subscription is redirected (MOVED) to the slot's primary, and a slot without a primary
    /// fails by itself.
    /// </summary>
    private Task PublishAsync(RedisChannel channel, long nonce) => _channels.IsSharded
        ? _redis.GetSubscriber().PublishAsync(channel, nonce)
        : _redis.GetDatabase().ExecuteAsync("PUBLISH", [channel.ToString(), nonce], CommandFlags.DemandMaster);

    /// <summary>One channel, except in sharded mode on a cluster: one per primary of the current cluster map.</summary>
    private List<RedisChannel> ProbeChannels()
    {
        // A single Redis 7 accepts SPUBLISH/SSUBSCRIBE too: there, sharded mode needs one channel, like classic.
        var cluster = _channels.IsSharded
            ? _redis.GetServers().FirstOrDefault(s => s.IsConnected && s.ServerType == ServerType.Cluster)?.ClusterConfiguration
            : null;
        if (cluster is null)
        {
            return [_channels.Probe(_instanceId)];
        }

        var channels = new List<RedisChannel>();
        foreach (var primary in cluster.Nodes.Where(n => !n.IsReplica && n.Slots.Count > 0))
        {
            for (var suffix = 0; suffix < MaxHashTagSearch; suffix++)
            {
                var id = $"{_instanceId}-{suffix}";
                var slot = _redis.HashSlot(WorkflowChannels.ProbeFor(id));
                if (primary.Slots.Any(range => range.From <= slot && slot <= range.To))
                {
                    channels.Add(_channels.Probe(id));
                    break;
                }
            }
        }

        return channels;
    }

    private async Task EnsureSubscribedAsync(RedisChannel channel, CancellationToken cancellationToken)
    {
        if (_queues.ContainsKey(channel))
        {
            return;
        }

        await _subscribe.WaitAsync(cancellationToken);
        try
        {
            if (!_queues.ContainsKey(channel))
            {
                var queue = await _redis.GetSubscriber().SubscribeAsync(channel);
                queue.OnMessage(message =>
                {
                    if (message.Message.TryParse(out long nonce) && _waiting.TryGetValue(nonce, out var heard))
                    {
                        heard.TrySetResult();
                    }
                });
                _queues[channel] = queue;
            }
        }
        finally
        {
            _subscribe.Release();
        }
    }
}
