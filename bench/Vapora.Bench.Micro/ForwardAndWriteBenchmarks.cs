using BenchmarkDotNet.Attributes;
using Vapora.Bench.Micro.Internal;

namespace Vapora.Bench.Micro;

/// <summary>
/// The whole way from backplane to socket: one message through the hub to K connections that run their real writer
/// loops (each waiting on its empty send queue, as a client that keeps up does), each writing the frame to a
/// server WebSocket over an in-memory stream. An operation ends when all K frames are written. Allocations are counted
/// for the whole process, so every per-client cost of waking a writer and sending shows up here.
/// </summary>
[MemoryDiagnoser]
public class ForwardAndWriteBenchmarks
{
    private GatewayHarness _harness = null!;
    private WriteCounter _counter = null!;
    private BackplanePayload _payload = null!;

    /// <summary>Local watchers of the workflow (K), each on its own socket.</summary>
    [Params(1, 10, 100, 1000)]
    public int Watchers { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _harness = new GatewayHarness();
        _counter = new WriteCounter();
        _counter.Expect(Watchers);
        for (var i = 0; i < Watchers; i++)
        {
            _harness.AddRunningWatcher(_counter, enveloped: false);
        }

        // Every socket has written its first frame (the current state): all are live.
        _counter.Wait();
        _payload = new BackplanePayload(GatewayHarness.WorkflowId, lastVersion: 1);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _harness.Dispose();
        _counter.Dispose();
    }

    [Benchmark]
    public void ForwardAndWriteOneMessage()
    {
        _counter.Expect(Watchers);
        _harness.Hub.OnMessage(GatewayHarness.WorkflowId, _payload.Next());
        _counter.Wait();
    }
}
