using System.Net;
using System.Net.Sockets;

namespace Vapora.Testing.Faults;

/// <summary>
/// A TCP relay on a free loopback port in front of one hop (gateway→Redis, API→Redis, gateway→API, client→gateway):
/// point the client side at <see cref="Endpoint"/> and the relay connects each accepted connection to the target.
/// It then fails the hop quietly, as production networks do: <see cref="Silence"/>, <see cref="Drop"/>,
/// <see cref="Slow"/>, and <see cref="Heal"/>. Nothing here ever sends a FIN or RST on its own: a peer learns about a
/// fault only by its own timeouts, which is what the services' detection must cope with.
/// </summary>
public sealed class TcpRelay : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly IPEndPoint _target;
    private readonly Lock _gate = new();
    private readonly HashSet<RelayFlow> _flows = [];
    private readonly List<Task> _running = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private HopFault _fault = HopFault.None;
    private TaskCompletionSource _healed = Healed();
    private TimeSpan _latency;
    private long _bytesPerSecond;
    private long _forwarded;
    private long _dropped;
    private long _accepted;

    private TcpRelay(int targetPort)
    {
        _target = new IPEndPoint(IPAddress.Loopback, targetPort);
        _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, TestPorts.GetFree()));
        _listener.Listen(512);
        Port = ((IPEndPoint)_listener.LocalEndPoint!).Port;
        _accepting = AcceptAsync(_stop.Token);
    }

    /// <summary>The port the relay listens on (127.0.0.1).</summary>
    public int Port { get; }

    /// <summary><c>127.0.0.1:port</c>: what the client side of the hop connects to instead of the target.</summary>
    public string Endpoint => $"127.0.0.1:{Port}";

    /// <summary>What the relay does now.</summary>
    public HopFault Fault
    {
        get
        {
            lock (_gate)
            {
                return _fault;
            }
        }
    }

    /// <summary>Bytes handed on to the other side so far (both directions).</summary>
    public long ForwardedBytes => Interlocked.Read(ref _forwarded);

    /// <summary>Bytes that vanished in dropped flows.</summary>
    public long DroppedBytes => Interlocked.Read(ref _dropped);

    /// <summary>Connections accepted so far (a client that reconnects shows here).</summary>
    public long AcceptedConnections => Interlocked.Read(ref _accepted);

    /// <summary>Connections open now, forgotten ones included.</summary>
    public int OpenConnections
    {
        get
        {
            lock (_gate)
            {
                return _flows.Count;
            }
        }
    }

    internal TimeProvider Time { get; } = TimeProvider.System;

    /// <summary>Starts a relay to <c>127.0.0.1:<paramref name="targetPort"/></c>.</summary>
    public static TcpRelay Start(int targetPort) => new(targetPort);

    /// <summary>From now on nothing moves either way and nothing closes; held bytes arrive after <see cref="Heal"/>.</summary>
    public void Silence() => Set(HopFault.Silent);

    /// <summary>
    /// Forgets every open connection: they never carry another byte and are never closed. Connections accepted
    /// until <see cref="Heal"/> are forgotten too; those accepted after it work.
    /// </summary>
    public void Drop()
    {
        lock (_gate)
        {
            Set(HopFault.Dropped);
            foreach (var flow in _flows)
            {
                flow.Forgotten = true;
            }
        }
    }

    /// <summary>Every chunk arrives <paramref name="latency"/> after it was sent, each direction at most <paramref name="bytesPerSecond"/>.</summary>
    public void Slow(TimeSpan latency, long bytesPerSecond)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(latency.Ticks, nameof(latency));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bytesPerSecond);
        lock (_gate)
        {
            _latency = latency;
            _bytesPerSecond = bytesPerSecond;
            Set(HopFault.Slow);
        }
    }

    /// <summary><see cref="Silence"/> or <see cref="Drop"/> by name, for tests that run both (a slow hop needs its figures: <see cref="Slow"/>).</summary>
    public void Inflict(HopFault fault)
    {
        switch (fault)
        {
            case HopFault.Silent:
                Silence();
                break;
            case HopFault.Dropped:
                Drop();
                break;
            case HopFault.None:
                Heal();
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(fault), fault, "Slow needs a latency and a bandwidth: call Slow.");
        }
    }

    /// <summary>Back to passing bytes: held bytes move on; forgotten connections stay forgotten.</summary>
    public void Heal() => Set(HopFault.None);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        List<Task> running;
        lock (_gate)
        {
            foreach (var flow in _flows)
            {
                flow.Dispose();
            }

            running = [.. _running, _accepting];
        }

        await Task.WhenAll(running).WaitAsync(TimeSpan.FromSeconds(10));
        _stop.Dispose();
    }

    /// <summary>
    /// Waits until a chunk read at <paramref name="readAt"/> may be written: false when its flow is forgotten (the
    /// chunk vanishes), true when it may go now.
    /// </summary>
    internal async Task<bool> WaitUntilDeliverableAsync(RelayFlow flow, long readAt, int length, CancellationToken cancellationToken)
    {
        while (true)
        {
            HopFault fault;
            Task healed;
            TimeSpan latency;
            long bytesPerSecond;
            lock (_gate)
            {
                if (flow.Forgotten)
                {
                    return false;
                }

                (fault, healed, latency, bytesPerSecond) = (_fault, _healed.Task, _latency, _bytesPerSecond);
            }

            if (fault == HopFault.Silent)
            {
                await healed.WaitAsync(cancellationToken);
                continue;
            }

            if (fault != HopFault.Slow)
            {
                return true;
            }

            var wait = latency - Time.GetElapsedTime(readAt) + TimeSpan.FromSeconds((double)length / bytesPerSecond);
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, Time, cancellationToken);
            }

            lock (_gate)
            {
                // Silenced or dropped while this chunk was on its way: it waits for that fault like the rest.
                if (_fault is HopFault.Slow or HopFault.None && !flow.Forgotten)
                {
                    return true;
                }
            }
        }
    }

    internal void CountForwarded(int bytes) => Interlocked.Add(ref _forwarded, bytes);

    internal void CountDropped(int bytes) => Interlocked.Add(ref _dropped, bytes);

    private static TaskCompletionSource Healed()
    {
        var healed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        healed.SetResult();
        return healed;
    }

    private void Set(HopFault fault)
    {
        lock (_gate)
        {
            var wasSilent = _fault == HopFault.Silent;
            _fault = fault;
            if (fault == HopFault.Silent && !wasSilent)
            {
                _healed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
            else if (fault != HopFault.Silent)
            {
                _healed.TrySetResult();
            }
        }
    }

    private async Task AcceptAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(cancellationToken);
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException or OperationCanceledException)
            {
                return;
            }

            Interlocked.Increment(ref _accepted);
            // Whether the flow is forgotten is decided when it is accepted, before the target sees it: a test that heals
            // once its server side accepted must not find the flow working.
            var forgotten = Fault == HopFault.Dropped;
            var upstream = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            client.NoDelay = true;
            try
            {
                await upstream.ConnectAsync(_target, cancellationToken);
            }
            catch (Exception ex) when (ex is SocketException or OperationCanceledException)
            {
                // The target refuses: so does the relay (a reset, as a direct connection would get).
                client.LingerState = new LingerOption(true, 0);
                client.Dispose();
                upstream.Dispose();
                continue;
            }

            var flow = new RelayFlow(client, upstream);
            lock (_gate)
            {
                flow.Forgotten = forgotten || _fault == HopFault.Dropped;
                _flows.Add(flow);
                _running.RemoveAll(t => t.IsCompleted);
                _running.Add(RunAsync(flow));
            }
        }
    }

    private async Task RunAsync(RelayFlow flow)
    {
        try
        {
            await flow.RunAsync(this);
        }
        finally
        {
            lock (_gate)
            {
                _flows.Remove(flow);
            }

            flow.Dispose();
        }
    }
}
