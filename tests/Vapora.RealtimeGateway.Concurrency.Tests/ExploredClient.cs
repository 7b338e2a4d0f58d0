using System.Reflection;
using System.Security.Claims;
using Vapora.Contracts;
using Vapora.Contracts.WebSockets;
using Vapora.RealtimeGateway.Connections;

namespace Vapora.RealtimeGateway.Concurrency.Tests;

/// <summary>
/// One client of the explored gateway: a real <see cref="Connection"/> (its subscriptions, catch-up and bounded send
/// queue) whose frames this client takes from the queue itself, a few at a time, as a client that keeps reading.
/// </summary>
internal sealed class ExploredClient
{
    private static readonly FieldInfo QueueField = typeof(Connection).GetField("_queue", BindingFlags.Instance | BindingFlags.NonPublic)
        ?? throw new InvalidOperationException("Connection no longer has a _queue field; update the explorer.");

    private readonly SendQueue _queue;
    private readonly string _workflowId;

    public ExploredClient(string name, ConnectionServices services, long id, string workflowId, long? after, long? leaveAt = null)
    {
        Name = name;
        After = after;
        LeaveAt = leaveAt;
        _workflowId = workflowId;
        Connection = new Connection(id, new SilentTransport(), new ClaimsPrincipal(new ClaimsIdentity()), services);
        _queue = (SendQueue)QueueField.GetValue(Connection)!;
    }

    public string Name { get; }

    public long? After { get; }

    /// <summary>Set for a client that leaves while the others go on (it unsubscribes once subscribed).</summary>
    public long? LeaveAt { get; }

    public Connection Connection { get; }

    public List<long> Received { get; } = [];

    public SubscribeResult? Result { get; private set; }

    /// <summary>
    /// Subscribes, reading a little at every turn while its catch-up runs and until <paramref name="publishing"/> ends (a
    /// client that keeps reading, though not at once); one that leaves unsubscribes as soon as it is subscribed.
    /// </summary>
    public async Task RunAsync(Task publishing)
    {
        var subscribing = Connection.Subscriptions.SubscribeAsync(_workflowId, After, enveloped: false, subscribedFrame: null);
        while (!subscribing.IsCompleted || (!publishing.IsCompleted && LeaveAt is null))
        {
            Read(max: 3);
            await Task.Yield();
        }

        Result = await subscribing;
        if (LeaveAt is not null)
        {
            // It leaves (reading up to here) while the others go on; it gets nothing more.
            Connection.Subscriptions.Unsubscribe(_workflowId);
            Read();
        }
    }

    /// <summary>Takes what is queued.</summary>
    public void Read(int max = int.MaxValue)
    {
        for (var taken = 0; taken < max && _queue.TryDequeue(out var frame); taken++)
        {
            Received.Add(UpdateFrameReader.TryReadVersion(frame.Bytes.Span, out var version) ? version : -1);
        }
    }

    /// <summary>The client is gone: every subscription let go (what the connection's end does).</summary>
    public void End() => Connection.Subscriptions.Clear();

    /// <summary>Nothing is written by the connection here: the client takes its frames from the queue.</summary>
    private sealed class SilentTransport : IConnectionTransport
    {
        public TransportInfo Info { get; } = new("explored", IsBidirectional: false);

        public ValueTask SendAsync(OutboundFrame frame, bool flush, CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public Task CloseAsync(CloseReason reason, CancellationToken cancellationToken) => Task.CompletedTask;

        public void Abort()
        {
        }
    }
}
