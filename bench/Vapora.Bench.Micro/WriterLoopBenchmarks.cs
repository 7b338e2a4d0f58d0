using System.Net.WebSockets;
using BenchmarkDotNet.Attributes;
using Vapora.Bench.Micro.Internal;
using Vapora.RealtimeGateway.Connections;

namespace Vapora.Bench.Micro;

/// <summary>
/// The send path under the writer loop: <see cref="WebSocket.SendAsync(ReadOnlyMemory{byte}, WebSocketMessageType, bool, CancellationToken)"/>
/// on a server WebSocket over an in-memory stream (with and without a cancelable token, which the writer loop passes),
/// and the real <see cref="Connection"/> writer loop woken for one frame and for a burst of frames.
/// </summary>
[MemoryDiagnoser]
public class WriterLoopBenchmarks
{
    private const int Burst = 16;

    private readonly ReadOnlyMemory<byte> _frame = new byte[200];
    private readonly CancellationTokenSource _cancelable = new();
    private WebSocket _socket = null!;
    private GatewayHarness _harness = null!;
    private WriteCounter _counter = null!;
    private Connection _connection = null!;

    [GlobalSetup]
    public void Setup()
    {
        _socket = GatewayHarness.ServerSocket(new DiscardStream());
        _harness = new GatewayHarness();
        _counter = new WriteCounter();
        _counter.Expect(1);
        _connection = _harness.AddRunningWatcher(_counter, enveloped: false);
        _counter.Wait();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _harness.Dispose();
        _counter.Dispose();
        _socket.Dispose();
        _cancelable.Dispose();
    }

    [Benchmark]
    public ValueTask SendWithoutToken() => _socket.SendAsync(_frame, WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);

    [Benchmark]
    public ValueTask SendWithCancelableToken() => _socket.SendAsync(_frame, WebSocketMessageType.Text, endOfMessage: true, _cancelable.Token);

    /// <summary>One live frame queued to an idle connection, until its writer loop wrote it to the socket.</summary>
    [Benchmark]
    public void WriterLoopOneFrame()
    {
        _counter.Expect(1);
        _connection.EnqueueLive(_frame, 0, GatewayHarness.WorkflowId, isProgress: false);
        _counter.Wait();
    }

    /// <summary>A burst queued at once: the writer loop drains it in one wake-up. Per frame.</summary>
    [Benchmark(OperationsPerInvoke = Burst)]
    public void WriterLoopBurst()
    {
        _counter.Expect(Burst);
        for (var i = 0; i < Burst; i++)
        {
            _connection.EnqueueLive(_frame, 0, GatewayHarness.WorkflowId, isProgress: false);
        }

        _counter.Wait();
    }
}
