using BenchmarkDotNet.Attributes;
using Vapora.Bench.Micro.Internal;
using Vapora.RealtimeGateway.Connections;

namespace Vapora.Bench.Micro;

/// <summary>
/// The writer side of one connection's <see cref="SendQueue"/>: enqueue and dequeue of frames, conflation of progress
/// when the client falls behind, and waking a reader that waits on an empty queue (what happens per message to every
/// client that keeps up).
/// </summary>
[MemoryDiagnoser]
public class SendQueueBenchmarks
{
    private const int Burst = 16;
    private const int Capacity = 1024;
    private const string Workflow = GatewayHarness.WorkflowId;

    private readonly OutboundFrame _frame = new(new byte[200], 0);
    private SendQueue _queue = null!;
    private SendQueue _behind = null!;
    private SendQueue _waited = null!;
    private WriteCounter _counter = null!;
    private CancellationTokenSource _stop = null!;
    private Task _reader = Task.CompletedTask;

    [GlobalSetup]
    public void Setup()
    {
        _queue = new SendQueue(Capacity);

        // A client half a queue behind: the next progress frame of the workflow replaces the queued one.
        _behind = new SendQueue(Capacity);
        for (var i = 0; i < Capacity / 2 - 1; i++)
        {
            _behind.Enqueue(_frame, "wf_other", isProgress: false);
        }

        _behind.Enqueue(_frame, Workflow, isProgress: true);

        _counter = new WriteCounter();
        _stop = new CancellationTokenSource();
        _waited = new SendQueue(Capacity);
        _reader = ReadLoopAsync(_waited, _counter, _stop.Token);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _waited.Complete();
        _reader.Wait(TimeSpan.FromSeconds(10));
        _stop.Dispose();
        _counter.Dispose();
    }

    /// <summary>A burst of frames queued, then written out: per frame.</summary>
    [Benchmark(OperationsPerInvoke = Burst)]
    public int EnqueueThenDequeue()
    {
        for (var i = 0; i < Burst; i++)
        {
            _queue.Enqueue(_frame, Workflow, isProgress: true);
        }

        var dequeued = 0;
        while (_queue.TryDequeue(out _))
        {
            dequeued++;
        }

        return dequeued;
    }

    /// <summary>A progress frame for a client that fell behind: replaces the queued progress of the same workflow.</summary>
    [Benchmark]
    public EnqueueResultCode ConflateProgress() => (EnqueueResultCode)_behind.Enqueue(_frame, Workflow, isProgress: true);

    /// <summary>One frame to a reader parked on the empty queue (like a writer loop of a client that keeps up), until dequeued.</summary>
    [Benchmark]
    public void WakeWaitingReader()
    {
        _counter.Expect(1);
        _waited.Enqueue(_frame, Workflow, isProgress: true);
        _counter.Wait();
    }

    /// <summary>The writer loop's shape (<c>Connection.WriteLoopAsync</c>) without a socket.</summary>
    private static async Task ReadLoopAsync(SendQueue queue, WriteCounter counter, CancellationToken cancellationToken)
    {
        await Task.Yield();
        while (await queue.WaitToReadAsync(cancellationToken))
        {
            while (queue.TryDequeue(out _))
            {
                counter.OnWrite();
            }
        }
    }

    /// <summary>Public mirror of the internal <see cref="EnqueueResult"/>, for the benchmark's return type.</summary>
    public enum EnqueueResultCode
    {
        Queued,
        Conflated,
        Full,
        Closed,
    }
}
