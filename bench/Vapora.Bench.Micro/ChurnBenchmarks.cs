using BenchmarkDotNet.Attributes;
using Vapora.Bench.Micro.Internal;
using Vapora.RealtimeGateway.Connections;

namespace Vapora.Bench.Micro;

/// <summary>
/// Subscription churn on a workflow that already has K local watchers: one more client subscribes (production
/// <c>Connection.Subscriptions.SubscribeAsync</c>: hub join, topic attach, current state queued) and unsubscribes again.
/// The topic is live throughout, so this costs no Redis or API call; what remains is the in-process cost of a
/// join and a leave, which should not grow with K.
/// </summary>
[MemoryDiagnoser]
public class ChurnBenchmarks
{
    private GatewayHarness _harness = null!;
    private Connection _churner = null!;
    private SendQueue _churnerQueue = null!;

    /// <summary>Watchers that stay (K).</summary>
    [Params(1, 10, 100, 1000)]
    public int Watchers { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _harness = new GatewayHarness();
        for (var i = 0; i < Watchers; i++)
        {
            _harness.AddIdleWatcher(enveloped: false);
        }

        (_churner, _churnerQueue) = _harness.AddIdleWatcher(enveloped: false);
        _churner.Subscriptions.Unsubscribe(GatewayHarness.WorkflowId);
    }

    [GlobalCleanup]
    public void Cleanup() => _harness.Dispose();

    [Benchmark]
    public bool JoinAndLeave()
    {
        var joined = _churner.Subscriptions.SubscribeAsync(GatewayHarness.WorkflowId, after: null, enveloped: false, subscribedFrame: null).GetAwaiter().GetResult();
        while (_churnerQueue.TryDequeue(out _))
        {
            // The current state, sent on join.
        }

        return joined == SubscribeResult.Subscribed && _churner.Subscriptions.Unsubscribe(GatewayHarness.WorkflowId);
    }
}
