using System.Collections.Concurrent;
using StackExchange.Redis;
using Vapora.ServiceDefaults.Redis;

namespace Vapora.RealtimeGateway.Broker;

/// <summary>
/// Publishes to this process's own probe channel and waits to hear it back: proof that the subscription
/// connection really delivers (a socket can look connected while its subscriptions are gone).
/// </summary>
internal sealed class BackplaneProbe : IAsyncDisposable
{
    private readonly IConnectionMultiplexer _redis;
    private readonly RedisChannel _channel = RedisWorkflowChannels.Probe(Guid.NewGuid().ToString("N"));
    private readonly ConcurrentDictionary<long, TaskCompletionSource> _waiting = new();
    private readonly SemaphoreSlim _subscribe = new(1, 1);
    private ChannelMessageQueue? _queue;
    private long _nonce;

    public BackplaneProbe(IConnectionMultiplexer redis) => _redis = redis;

    /// <summary>True when a message published now came back within <paramref name="timeout"/>.</summary>
    public async Task<bool> RoundTripAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            await EnsureSubscribedAsync(cancellationToken).WaitAsync(timeout, cancellationToken);
            var nonce = Interlocked.Increment(ref _nonce);
            var heard = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiting[nonce] = heard;
            try
            {
                await _redis.GetSubscriber().PublishAsync(_channel, nonce).WaitAsync(timeout, cancellationToken);
                await heard.Task.WaitAsync(timeout, cancellationToken);
                return true;
            }
            finally
            {
                _waiting.TryRemove(nonce, out _);
            }
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_queue is not null)
        {
            try
            {
                await _queue.UnsubscribeAsync();
            }
            catch (RedisException)
            {
            }
        }

        _subscribe.Dispose();
    }

    private async Task EnsureSubscribedAsync(CancellationToken cancellationToken)
    {
        if (_queue is not null)
        {
            return;
        }

        await _subscribe.WaitAsync(cancellationToken);
        try
        {
            if (_queue is null)
            {
                var queue = await _redis.GetSubscriber().SubscribeAsync(_channel);
                queue.OnMessage(message =>
                {
                    if (message.Message.TryParse(out long nonce) && _waiting.TryGetValue(nonce, out var heard))
                    {
                        heard.TrySetResult();
                    }
                });
                _queue = queue;
            }
        }
        finally
        {
            _subscribe.Release();
        }
    }
}
