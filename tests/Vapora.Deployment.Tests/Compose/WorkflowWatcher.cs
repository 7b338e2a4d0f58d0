using Vapora.Client;

namespace Vapora.Deployment.Tests.Compose;

/// <summary>One client: every version it delivered, in order, and how often it reconnected.</summary>
public sealed class WorkflowWatcher
{
    private readonly List<long> _versions = [];
    private int _reconnects;

    public WorkflowWatcher(WorkflowStream stream, StreamTransport transport, CancellationToken stop)
    {
        Stream = stream;
        Transport = transport;
        stream.Reconnecting += (_, _) => Interlocked.Increment(ref _reconnects);
        stream.UpdateReceived += (_, update) =>
        {
            lock (_versions)
            {
                _versions.Add(update.Version);
            }
        };
        Running = Task.Run(() => stream.RunAsync(stop), CancellationToken.None);
    }

    public WorkflowStream Stream { get; }

    public StreamTransport Transport { get; }

    public Task Running { get; }

    public int Reconnects => Volatile.Read(ref _reconnects);

    public IReadOnlyList<long> Versions
    {
        get
        {
            lock (_versions)
            {
                return [.. _versions];
            }
        }
    }
}
