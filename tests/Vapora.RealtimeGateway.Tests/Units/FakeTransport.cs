using Vapora.Contracts;
using Vapora.RealtimeGateway.Connections;

namespace Vapora.RealtimeGateway.Tests.Units;

/// <summary>Records frames and the close; can stall every send like a client that stopped reading.</summary>
internal sealed class FakeTransport : IConnectionTransport
{
    private readonly TaskCompletionSource _inbound = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<byte[]> _sent = [];
    private readonly List<bool> _flushes = [];
    private int _sendsStarted;
    private int _abortCalls;

    public TransportInfo Info { get; init; } = new("fake", IsBidirectional: true);

    public bool Stalled { get; init; }

    /// <summary>When set, every send waits for a permit: frames pile up in the queue meanwhile.</summary>
    public SemaphoreSlim? Gate { get; init; }

    public bool Aborted { get; private set; }

    public int AbortCalls => Volatile.Read(ref _abortCalls);

    /// <summary>Set once the request is over: an abort then throws, as <c>HttpContext.Abort</c> does on a finished request.</summary>
    public bool RequestEnded { get; set; }

    /// <summary>Thrown by every abort (after it ended the inbound side), as a transport that breaks would.</summary>
    public Exception? AbortFailure { get; init; }

    public CloseReason? ClosedWith { get; private set; }

    public int SendsStarted => Volatile.Read(ref _sendsStarted);

    public IReadOnlyList<byte[]> Sent
    {
        get { lock (_sent) { return [.. _sent]; } }
    }

    public IReadOnlyList<long> SentVersions =>
        [.. Sent.Select(bytes => Vapora.Contracts.WebSockets.UpdateFrameReader.TryReadVersion(bytes, out var v) ? v : -1)];

    /// <summary>For each frame sent, whether the writer asked for a flush with it.</summary>
    public IReadOnlyList<bool> Flushes
    {
        get { lock (_sent) { return [.. _flushes]; } }
    }

    public async ValueTask SendAsync(OutboundFrame frame, bool flush, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _sendsStarted);
        if (Stalled)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }

        if (Gate is not null)
        {
            await Gate.WaitAsync(cancellationToken);
        }

        lock (_sent)
        {
            _sent.Add(frame.Bytes.ToArray());
            _flushes.Add(flush);
        }
    }

    public Task CloseAsync(CloseReason reason, CancellationToken cancellationToken)
    {
        ClosedWith = reason;
        return Task.CompletedTask;
    }

    public void Abort()
    {
        Interlocked.Increment(ref _abortCalls);
        if (RequestEnded)
        {
            throw new ObjectDisposedException("Microsoft.AspNetCore.Http.Features.IFeatureCollection", "The request is over.");
        }

        Aborted = true;
        _inbound.TrySetResult();
        if (AbortFailure is not null)
        {
            throw AbortFailure;
        }
    }

    /// <summary>What a receive loop would be: ends when the client goes (or the connection is aborted).</summary>
    public Task InboundAsync(Connection connection) => _inbound.Task;

    public void EndInbound() => _inbound.TrySetResult();
}
