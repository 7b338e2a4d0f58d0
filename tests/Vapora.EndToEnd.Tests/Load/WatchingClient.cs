using System.Diagnostics;
using System.Net.WebSockets;
using System.Text.Json;
using Vapora.Contracts.WebSockets;

namespace Vapora.EndToEnd.Tests.Load;

/// <summary>
/// One watcher through the load balancer. It records every frame it receives (duplicates included, so the
/// server's guarantees are measured, not the client's), and after any disconnect reconnects with
/// <c>?after=</c> its last version, with a short backoff, to whichever gateway the balancer picks.
/// </summary>
internal sealed class WatchingClient(string workflowId, Func<long, Uri> url)
{
    private readonly List<long> _received = [];
    private readonly object _lock = new();
    private long _last;
    private long _target = long.MaxValue;
    private long _faultAt;
    private TimeSpan? _convergedAfter;
    private ClientWebSocket? _socket;
    private long _disconnectedAt;
    private readonly List<TimeSpan> _resumes = [];
    private readonly List<FrameLatency> _latencies = [];
    private TaskCompletionSource? _paused;

    public string WorkflowId { get; } = workflowId;

    public int Reconnects { get; private set; }

    /// <summary>The last connection error, for diagnosing a failed run.</summary>
    public string? LastError { get; private set; }

    public WebSocketState? SocketState => _socket?.State;

    public long Last => Interlocked.Read(ref _last);

    public IReadOnlyList<int> CloseCodes => _closeCodes;

    private readonly List<int> _closeCodes = [];

    /// <summary>For every reconnect: from losing the connection to the first frame on the new one.</summary>
    public IReadOnlyList<TimeSpan> ResumeTimes
    {
        get { lock (_lock) { return [.. _resumes]; } }
    }

    /// <summary>For every update frame: when it arrived, and how long after the API accepted it (its <c>timestamp</c>).</summary>
    public IReadOnlyList<FrameLatency> Latencies
    {
        get { lock (_lock) { return [.. _latencies]; } }
    }

    public IReadOnlyList<long> Received
    {
        get { lock (_lock) { return [.. _received]; } }
    }

    /// <summary>How long after the fault this client had every version stored before it (null: not yet).</summary>
    public TimeSpan? ConvergedAfter
    {
        get { lock (_lock) { return _convergedAfter; } }
    }

    public async Task RunAsync(CancellationToken stop)
    {
        var backoff = TimeSpan.FromMilliseconds(50);
        while (!stop.IsCancellationRequested)
        {
            if (_paused is { } paused)
            {
                await paused.Task.WaitAsync(stop);
            }

            using var socket = new ClientWebSocket();
            socket.Options.KeepAliveInterval = TimeSpan.Zero;
            _socket = socket;
            try
            {
                await socket.ConnectAsync(url(Last), stop);
                backoff = TimeSpan.FromMilliseconds(50);
                await ReceiveAsync(socket, stop);
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or HttpRequestException or IOException)
            {
                LastError = ex.GetType().Name + ": " + ex.Message;
            }

            if (stop.IsCancellationRequested)
            {
                return;
            }

            Reconnects++;
            if (Interlocked.Read(ref _disconnectedAt) == 0)
            {
                Interlocked.Exchange(ref _disconnectedAt, Stopwatch.GetTimestamp());
            }

            await Task.Delay(backoff + TimeSpan.FromMilliseconds(Random.Shared.Next(0, 50)), stop).ContinueWith(_ => { }, CancellationToken.None);
            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromSeconds(1).Ticks));
        }
    }

    /// <summary>Drops the connection and stays away until <see cref="Resume"/>.</summary>
    public void Pause()
    {
        _paused = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _socket?.Abort();
    }

    /// <summary>Comes back; the resume time is measured from now, not from the start of the planned absence.</summary>
    public void Resume()
    {
        Interlocked.Exchange(ref _disconnectedAt, Stopwatch.GetTimestamp());
        Interlocked.Exchange(ref _paused, null)?.TrySetResult();
    }

    /// <summary>Starts the convergence clock: the client has converged once it holds <paramref name="version"/>.</summary>
    public void SetTarget(long version, long faultTimestamp)
    {
        lock (_lock)
        {
            _target = version;
            _faultAt = faultTimestamp;
            _convergedAfter = _last >= version ? Stopwatch.GetElapsedTime(faultTimestamp) : null;
        }
    }

    private async Task ReceiveAsync(ClientWebSocket socket, CancellationToken stop)
    {
        using var reader = new WebSocketMessageReader(socket);
        while (true)
        {
            var message = await reader.ReceiveAsync(stop);
            if (message.IsClose)
            {
                lock (_lock)
                {
                    _closeCodes.Add((int)(socket.CloseStatus ?? 0));
                }

                return;
            }

            if (!UpdateFrameReader.TryReadVersion(message.Bytes.Span, out var version))
            {
                throw new InvalidDataException("A frame without a version: " + System.Text.Encoding.UTF8.GetString(message.Bytes.Span));
            }

            Record(version, TryReadTimestamp(message.Bytes.Span, out var accepted) ? accepted : null);
        }
    }

    /// <summary>The top-level <c>timestamp</c> of an update (a state, the first frame, has none).</summary>
    private static bool TryReadTimestamp(ReadOnlySpan<byte> frame, out DateTimeOffset accepted)
    {
        accepted = default;
        var reader = new Utf8JsonReader(frame);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return false;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("timestamp"u8))
            {
                return reader.Read() && reader.TryGetDateTimeOffset(out accepted);
            }

            reader.Read();
            reader.Skip();
        }

        return false;
    }

    private void Record(long version, DateTimeOffset? accepted)
    {
        var now = DateTimeOffset.UtcNow;
        lock (_lock)
        {
            if (accepted is { } at)
            {
                _latencies.Add(new FrameLatency(now, now - at));
            }

            var disconnectedAt = Interlocked.Exchange(ref _disconnectedAt, 0);
            if (disconnectedAt != 0)
            {
                _resumes.Add(Stopwatch.GetElapsedTime(disconnectedAt));
            }

            _received.Add(version);
            if (version > _last)
            {
                Interlocked.Exchange(ref _last, version);
            }

            if (_convergedAfter is null && _last >= _target)
            {
                _convergedAfter = Stopwatch.GetElapsedTime(_faultAt);
            }
        }
    }
}

/// <summary>One update frame as a client saw it: when it arrived, and how long after the API accepted the update.</summary>
internal readonly record struct FrameLatency(DateTimeOffset ReceivedAt, TimeSpan Latency);
