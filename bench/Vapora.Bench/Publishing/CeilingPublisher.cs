using System.Buffers.Binary;
using System.Net.WebSockets;
using System.Threading.Channels;

namespace Vapora.Bench.Publishing;

/// <summary>
/// The ceiling app's publisher: one control WebSocket, each message <c>[int32 workflow][update JSON]</c>. The pacer
/// queues; one loop sends, because a WebSocket takes one send at a time.
/// </summary>
internal sealed class CeilingPublisher : IUpdatePublisher
{
    private readonly ClientWebSocket _control;
    private readonly IReadOnlyList<string> _workflowIds;
    private readonly long[] _sent;
    private readonly Channel<byte[]> _queue = Channel.CreateUnbounded<byte[]>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private readonly SendFailures _failures = new();
    private readonly Task _sender;
    private long _queued;
    private long _done;

    private CeilingPublisher(ClientWebSocket control, IReadOnlyList<string> workflowIds)
    {
        _control = control;
        _workflowIds = workflowIds;
        _sent = new long[workflowIds.Count];
        _sender = SendLoopAsync();
    }

    public long Failed => _failures.Count;

    public string? FirstError => _failures.First;

    public long Backlog => Interlocked.Read(ref _queued) - Interlocked.Read(ref _done);

    public static async Task<CeilingPublisher> ConnectAsync(Uri controlUrl, IReadOnlyList<string> workflowIds, CancellationToken cancellationToken)
    {
        var control = new ClientWebSocket();
        control.Options.KeepAliveInterval = TimeSpan.Zero;
        await control.ConnectAsync(controlUrl, cancellationToken);
        return new CeilingPublisher(control, workflowIds);
    }

    public void Publish(int workflow)
    {
        var version = Interlocked.Increment(ref _sent[workflow]) + 1;
        var json = UpdatePayload.Encode(_workflowIds[workflow], version);
        var message = new byte[4 + json.Length];
        BinaryPrimitives.WriteInt32LittleEndian(message, workflow);
        json.CopyTo(message.AsSpan(4));
        Interlocked.Increment(ref _queued);
        _queue.Writer.TryWrite(message);
    }

    // A failed control socket fails every later send; a partial count would only mislead, so none is subtracted here
    // and the failure is reported instead.
    public long Accepted(int workflow) => Interlocked.Read(ref _sent[workflow]);

    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        while (Backlog > 0 && !_sender.IsCompleted)
        {
            await Task.Delay(10, cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _sender;
        _control.Abort();
        _control.Dispose();
    }

    private async Task SendLoopAsync()
    {
        await foreach (var message in _queue.Reader.ReadAllAsync())
        {
            try
            {
                await _control.SendAsync(message, WebSocketMessageType.Binary, endOfMessage: true, CancellationToken.None);
            }
            catch (Exception ex) when (ex is WebSocketException or ObjectDisposedException)
            {
                _failures.Record(ex.Message);
            }

            Interlocked.Increment(ref _done);
        }
    }
}
