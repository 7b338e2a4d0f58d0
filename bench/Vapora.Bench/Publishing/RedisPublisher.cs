using StackExchange.Redis;
using Vapora.Contracts;

namespace Vapora.Bench.Publishing;

/// <summary>
/// <c>--source redis</c> for Vapora: PUBLISH to <c>vapora:wf:{id}</c> as workflow-api does after storing, with the
/// next contiguous version, so the gateway is measured alone. One connection keeps each workflow's order.
/// </summary>
internal sealed class RedisPublisher : IUpdatePublisher
{
    private readonly ConnectionMultiplexer _redis;
    private readonly ISubscriber _subscriber;
    private readonly IReadOnlyList<string> _workflowIds;
    private readonly RedisChannel[] _channels;
    private readonly long[] _sent;
    private readonly long[] _failed;
    private readonly InFlightSends _inFlight = new();

    private RedisPublisher(ConnectionMultiplexer redis, IReadOnlyList<string> workflowIds, bool sharded)
    {
        _redis = redis;
        _subscriber = redis.GetSubscriber();
        _workflowIds = workflowIds;
        // Sharded: SPUBLISH, as workflow-api does with Redis__PubSub=sharded.
        _channels = workflowIds.Select(id => WorkflowChannels.NameFor(id)).Select(name => sharded ? RedisChannel.Sharded(name) : RedisChannel.Literal(name)).ToArray();
        _sent = new long[workflowIds.Count];
        _failed = new long[workflowIds.Count];
    }

    public long Failed => _inFlight.Failures.Count;

    public string? FirstError => _inFlight.Failures.First;

    public long Backlog => _inFlight.Pending;

    public static async Task<RedisPublisher> ConnectAsync(string redis, IReadOnlyList<string> workflowIds, bool sharded = false) =>
        new(await ConnectionMultiplexer.ConnectAsync(redis), workflowIds, sharded);

    public void Publish(int workflow)
    {
        var version = Interlocked.Increment(ref _sent[workflow]) + 1;
        var payload = UpdatePayload.Encode(_workflowIds[workflow], version);
        _inFlight.Track(_subscriber.PublishAsync(_channels[workflow], payload), () => Interlocked.Increment(ref _failed[workflow]));
    }

    public long Accepted(int workflow) => Interlocked.Read(ref _sent[workflow]) - Interlocked.Read(ref _failed[workflow]);

    public Task FlushAsync(CancellationToken cancellationToken) => _inFlight.WaitIdleAsync(cancellationToken);

    public async ValueTask DisposeAsync() => await _redis.DisposeAsync();
}
