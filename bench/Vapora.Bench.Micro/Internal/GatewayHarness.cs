using Microsoft.AspNetCore.Http;
using System.Diagnostics.Metrics;
using System.Net.WebSockets;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Security.Claims;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Vapora.RealtimeGateway.Broker;
using Vapora.RealtimeGateway.Connections;
using Vapora.RealtimeGateway.Hub;
using Vapora.RealtimeGateway.Internal;
using Vapora.RealtimeGateway.Resume;
using Vapora.RealtimeGateway.Transport.WebSockets;
using Vapora.RealtimeGateway.UpdateLog;
using Vapora.ServiceDefaults.Security;

namespace Vapora.Bench.Micro.Internal;

/// <summary>
/// The gateway's real forward path, wired as <c>AddRealtimeGateway</c> wires it, minus Redis and the API: the production
/// <see cref="WorkflowHub"/>, <see cref="TopicRegistry"/>, <see cref="WorkflowTopic"/>, <see cref="Connection"/> over a
/// <see cref="WebSocketTransport"/> (its <see cref="WorkflowSubscription"/> is the watcher) and <see cref="SendQueue"/>. Metrics are recorded with a listener
/// attached, as in production where OpenTelemetry listens.
/// </summary>
internal sealed class GatewayHarness : IDisposable
{
    public const string WorkflowId = "wf_01JBENCH0000000000000000";

    private static readonly FieldInfo QueueField = typeof(Connection).GetField("_queue", BindingFlags.Instance | BindingFlags.NonPublic)
        ?? throw new InvalidOperationException("Connection no longer has a _queue field; update the benchmark harness.");

    private readonly CancellationTokenSource _requestAborted = new();
    // The host's own meter factory, as AddMetrics registers it in production.
    private readonly ServiceProvider _meters = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly MeterListener _listener = new();
    private readonly List<Connection> _connections = [];
    private readonly List<Task> _running = [];
    private readonly TopicRepair _repair;
    private readonly HistoryReads _reads;
    private long _nextId;

    public GatewayHarness()
    {
        var connectionOptions = new ConnectionOptions { CloseTimeout = TimeSpan.FromMilliseconds(200) };
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == GatewayMetrics.MeterName)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>(static (_, _, _, _) => { });
        _listener.SetMeasurementEventCallback<double>(static (_, _, _, _) => { });
        _listener.Start();

        Metrics = new GatewayMetrics(_meters.GetRequiredService<IMeterFactory>());
        var log = new FixedUpdateLog(WorkflowId);

        // The probe is used only after a backplane reconnect, which never happens here.
        var probe = (BackplaneProbe)RuntimeHelpers.GetUninitializedObject(typeof(BackplaneProbe));
        var hubOptions = Options.Create(new HubOptions());
        var updateLogOptions = Options.Create(new UpdateLogOptions { WorkflowApiUrl = new Uri("http://127.0.0.1:9") });
        _repair = new TopicRepair(log, hubOptions, updateLogOptions, TimeProvider.System, NullLogger<TopicRepair>.Instance);
        _reads = new HistoryReads(log, Options.Create(new ResumeOptions()), updateLogOptions, Metrics, TimeProvider.System, NullLogger<HistoryReads>.Instance);
        var context = new TopicContext(hubOptions, Metrics, TimeProvider.System, _repair, NullLogger<WorkflowTopic>.Instance);
        Topics = new TopicRegistry(new NullBroker(), log, context, NullLogger<TopicRegistry>.Instance);
        Hub = new WorkflowHub(Topics, probe, hubOptions, Metrics, TimeProvider.System, NullLogger<WorkflowHub>.Instance);
        var connections = Options.Create(connectionOptions);
        Services = new ConnectionServices(Topics, new CatchUp(_reads, log, updateLogOptions, Metrics), new NotFoundCache(connections, TimeProvider.System),
            new WorkflowAccess(new AuthMode(IsOff: true)), connections, Metrics, TimeProvider.System, NullLogger<Connection>.Instance,
            TokenRefresh.WithoutAuthentication(Metrics));
    }

    public GatewayMetrics Metrics { get; }

    public WorkflowHub Hub { get; }

    public TopicRegistry Topics { get; }

    public ConnectionServices Services { get; }

    /// <summary>A server-side WebSocket over <paramref name="stream"/>, as Kestrel's would be (no keep-alive pings here).</summary>
    public static WebSocket ServerSocket(Stream stream) =>
        WebSocket.CreateFromStream(stream, new WebSocketCreationOptions { IsServer = true, KeepAliveInterval = TimeSpan.Zero });

    /// <summary>
    /// A connection watching the benchmark workflow whose loops do not run: what the topic hands it stays in its
    /// send queue, which the benchmark drains itself.
    /// </summary>
    public (Connection Connection, SendQueue Queue) AddIdleWatcher(bool enveloped)
    {
        var (connection, _) = NewConnection(new DiscardStream());
        var result = connection.Subscriptions.SubscribeAsync(WorkflowId, after: null, enveloped, subscribedFrame: null).GetAwaiter().GetResult();
        if (result != SubscribeResult.Subscribed)
        {
            throw new InvalidOperationException($"Subscribe failed: {result}.");
        }

        var queue = QueueOf(connection);
        while (queue.TryDequeue(out _))
        {
            // The initial state frame.
        }

        return (connection, queue);
    }

    /// <summary>
    /// A connection running its real reader and writer loops over a socket whose transport counts written frames.
    /// Its first frame (the current state) is written before it counts as live; wait for it with the counter.
    /// </summary>
    public Connection AddRunningWatcher(WriteCounter counter, bool enveloped)
    {
        var (connection, transport) = NewConnection(new DiscardStream(counter));
        _running.Add(connection.RunAsync(
            transport.ReceiveAsync,
            async c => await c.Subscriptions.SubscribeAsync(WorkflowId, after: null, enveloped, subscribedFrame: null)));
        return connection;
    }

    public static SendQueue QueueOf(Connection connection) => (SendQueue)QueueField.GetValue(connection)!;

    public void Dispose()
    {
        _requestAborted.Cancel();
        try
        {
            Task.WhenAll(_running).Wait(TimeSpan.FromSeconds(30));
        }
        catch (AggregateException)
        {
            // Connections end by abort here; nothing to report.
        }

        foreach (var connection in _connections)
        {
            connection.Dispose();
        }

        Hub.Dispose();
        Topics.Dispose();
        _reads.Dispose();
        _repair.Dispose();
        _listener.Dispose();
        _meters.Dispose();
        _requestAborted.Dispose();
    }

    /// <summary>A connection over a server WebSocket on <paramref name="stream"/>, under the batching stream as in the gateway.</summary>
    private (Connection Connection, WebSocketTransport Transport) NewConnection(Stream stream)
    {
        var batching = new WriteBatchingStream(stream);
        var transport = new WebSocketTransport(ServerSocket(batching), batching, new DefaultHttpContext(), new WebSocketTransportOptions().MaxInboundMessageBytes, Metrics,
            static (_, _) => Task.CompletedTask);
        var connection = new Connection(++_nextId, transport, new ClaimsPrincipal(new ClaimsIdentity()), Services);
        _connections.Add(connection);
        return (connection, transport);
    }
}
