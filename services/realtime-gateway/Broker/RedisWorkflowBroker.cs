using System.Collections.Concurrent;
using StackExchange.Redis;
using Vapora.RealtimeGateway.Internal;
using Vapora.ServiceDefaults.Redis;

namespace Vapora.RealtimeGateway.Broker;

/// <summary>
/// Redis pub/sub on the process's one shared connection. Each watched workflow gets a
/// <see cref="ChannelMessageQueue"/>, which keeps that channel's messages in publish order
/// (the callback form runs handlers concurrently and reorders them).
/// </summary>
internal sealed class RedisWorkflowBroker : IWorkflowBroker, IDisposable
{
    private readonly IConnectionMultiplexer _redis;
    private readonly ILogger<RedisWorkflowBroker> _logger;
    private readonly GatewayMetrics _metrics;
    private readonly RedisWorkflowChannels _channels;
    private readonly ConcurrentDictionary<string, ChannelMessageQueue> _queues = new(StringComparer.Ordinal);
    private readonly RedisReconnectDetector _reconnects;
    private IBrokerHandler? _handler;

    public RedisWorkflowBroker(IConnectionMultiplexer redis, RedisWorkflowChannels channels, GatewayMetrics metrics, ILogger<RedisWorkflowBroker> logger)
    {
        _redis = redis;
        _channels = channels;
        _metrics = metrics;
        _logger = logger;
        _reconnects = new RedisReconnectDetector(redis);
        _redis.ConnectionFailed += OnConnectionFailed;
        _redis.ConnectionRestored += OnConnectionRestored;
        // The topology changed: a slot moved (resharding, cluster failover) and took its shard channels along, or
        // Sentinel promoted a replica and the subscriptions moved to another server, which raises no "restored"
        // event. The library resubscribes where the channels now live; whatever was published in between is read
        // from the log.
        _redis.ConfigurationChanged += OnTopologyChanged;
    }

    public int SubscribedChannels => _queues.Count;

    public void RegisterHandler(IBrokerHandler handler)
    {
        if (Interlocked.CompareExchange(ref _handler, handler, null) is not null)
        {
            throw new InvalidOperationException("The broker already has a handler.");
        }
    }

    public async Task SubscribeAsync(string workflowId, CancellationToken cancellationToken)
    {
        var queue = await _redis.GetSubscriber().SubscribeAsync(_channels.For(workflowId)).WaitAsync(cancellationToken);
        if (!_queues.TryAdd(workflowId, queue))
        {
            // The hub serializes subscribe/unsubscribe per workflow, so this is a bug, not a race to tolerate.
            await queue.UnsubscribeAsync();
            throw new InvalidOperationException($"Workflow {workflowId} is already subscribed.");
        }

        queue.OnMessage(message => Deliver(workflowId, message));
    }

    public async Task UnsubscribeAsync(string workflowId)
    {
        if (_queues.TryRemove(workflowId, out var queue))
        {
            try
            {
                await queue.UnsubscribeAsync();
            }
            catch (RedisException ex)
            {
                // Redis is gone; the server forgets the subscription with the connection.
                GatewayLog.UnsubscribeFailed(_logger, workflowId, ex);
            }
        }
    }

    public void Dispose()
    {
        _redis.ConnectionFailed -= OnConnectionFailed;
        _redis.ConnectionRestored -= OnConnectionRestored;
        _redis.ConfigurationChanged -= OnTopologyChanged;
    }

    private void Deliver(string workflowId, ChannelMessage message)
    {
        _metrics.MessageReceived();
        var value = message.Message;
        if (value.IsNull)
        {
            _metrics.MessageDropped("empty");
            return;
        }

        try
        {
            _handler?.OnMessage(workflowId, (ReadOnlyMemory<byte>)value);
        }
        catch (Exception ex)
        {
            // Never let one message stop this channel's queue: count it, log it, go on with the next.
            _metrics.MessageDropped("failed");
            GatewayLog.MessageHandlingFailed(_logger, workflowId, ex);
        }
    }

    private void OnConnectionFailed(object? sender, ConnectionFailedEventArgs e) => _reconnects.Failed(e);

    private void OnConnectionRestored(object? sender, ConnectionFailedEventArgs e)
    {
        // A first connection is no reconnect; but while workflows are watched it means subscriptions moved to this
        // server (a failover), so they resync either way. Any restored connection may have carried our subscriptions
        // (with RESP3 one connection carries commands and pub/sub); a resync of a workflow that lost nothing costs one
        // short history read.
        var reconnected = _reconnects.Restored(e);
        if (reconnected)
        {
            _metrics.BackplaneReconnected();
        }

        if (reconnected || !_queues.IsEmpty)
        {
            GatewayLog.BackplaneRestored(_logger, e.ConnectionType, _queues.Count);
            _handler?.OnReconnected();
        }
    }

    private void OnTopologyChanged(object? sender, EndPointEventArgs e)
    {
        GatewayLog.TopologyChanged(_logger, e.EndPoint.ToString() ?? "?", _queues.Count);
        _handler?.OnReconnected();
    }
}
