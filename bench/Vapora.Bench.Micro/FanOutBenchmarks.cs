using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using Vapora.Bench.Micro.Internal;
using Vapora.RealtimeGateway.Connections;

namespace Vapora.Bench.Micro;

/// <summary>
/// One backplane message (raw bytes, as the broker hands them over) through <c>WorkflowHub.OnMessage</c> → topic →
/// every watcher's <c>WorkflowSubscription.Deliver</c> → <c>SendQueue.Enqueue</c>, then each queue drained as its
/// writer would. No writer loops run, so this is the fan-out alone: allocated bytes per operation must not grow with
/// <see cref="Watchers"/>.
/// </summary>
[MemoryDiagnoser]
public class FanOutBenchmarks
{
    private GatewayHarness _harness = null!;
    private BackplanePayload _payload = null!;
    private SendQueue[] _queues = [];

    /// <summary>Local watchers of the workflow (K).</summary>
    [Params(1, 10, 100, 1000)]
    public int Watchers { get; set; }

    /// <summary>False: <c>/api/workflows/{id}/updates</c> sockets (bytes as published); true: <c>/ws</c> sockets (envelope).</summary>
    [Params(false, true)]
    public bool Multiplexed { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _harness = new GatewayHarness();
        _queues = new SendQueue[Watchers];
        for (var i = 0; i < Watchers; i++)
        {
            _queues[i] = _harness.AddIdleWatcher(Multiplexed).Queue;
        }

        _payload = new BackplanePayload(GatewayHarness.WorkflowId, lastVersion: 1);
        VerifyForwardedOnce();
    }

    [GlobalCleanup]
    public void Cleanup() => _harness.Dispose();

    [Benchmark]
    public int ForwardOneMessage()
    {
        _harness.Hub.OnMessage(GatewayHarness.WorkflowId, _payload.Next());
        var dequeued = 0;
        foreach (var queue in _queues)
        {
            while (queue.TryDequeue(out _))
            {
                dequeued++;
            }
        }

        return dequeued;
    }

    /// <summary>
    /// Proof of "serialize once": every watcher got the very bytes the broker received (same array, no copy), or, on
    /// /ws, one envelope array shared by all watchers.
    /// </summary>
    private void VerifyForwardedOnce()
    {
        _harness.Hub.OnMessage(GatewayHarness.WorkflowId, _payload.Next());
        byte[]? shared = null;
        foreach (var queue in _queues)
        {
            if (!queue.TryDequeue(out var frame) || queue.TryDequeue(out _) || !MemoryMarshal.TryGetArray(frame.Bytes, out var segment))
            {
                throw new InvalidOperationException("Each watcher must get exactly one array-backed frame.");
            }

            if (!Multiplexed && (!ReferenceEquals(segment.Array, _payload.Buffer) || segment.Offset != _payload.JsonOffset))
            {
                throw new InvalidOperationException("A watcher got a copy of the update instead of the bytes as received.");
            }

            shared ??= segment.Array;
            if (!ReferenceEquals(shared, segment.Array))
            {
                throw new InvalidOperationException("Watchers got different envelope arrays: the frame was encoded per client.");
            }
        }
    }
}
