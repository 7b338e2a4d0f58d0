using System.Diagnostics.Metrics;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Vapora.Contracts;
using Vapora.RealtimeGateway.Broker;
using Vapora.RealtimeGateway.Frames;
using Vapora.RealtimeGateway.Hub;
using Vapora.RealtimeGateway.Internal;
using Vapora.RealtimeGateway.Resume;
using Vapora.RealtimeGateway.UpdateLog;

namespace Vapora.RealtimeGateway.Tests.Units;

/// <summary>Encoded updates as the backplane or the API would hand them over.</summary>
internal static class TestFrames
{
    public static UpdateFrame Update(string workflowId, long version, string status = "running", int step = 0)
    {
        var json = Encoding.UTF8.GetBytes($$"""{"workflow_id":"{{workflowId}}","version":{{version}},"status":"{{status}}","current_step":{{step}},"total_steps":10,"message":null,"timestamp":"2026-11-28T17:00:00.000Z"}""");
        return WorkflowUpdateHeader.TryRead(json, out var header)
            ? new UpdateFrame(header, json, 0)
            : throw new InvalidOperationException("Test frame does not parse.");
    }

    public static WorkflowSnapshot Snapshot(string workflowId, long version, string status = "running")
    {
        var json = Encoding.UTF8.GetBytes($$"""{"workflow_id":"{{workflowId}}","version":{{version}},"status":"{{status}}","current_step":0,"total_steps":10,"message":null,"timestamp":"2026-11-28T17:00:00.000Z","name":"test","created_at":"2026-11-28T16:00:00.000Z"}""");
        return WorkflowUpdateHeader.TryRead(json, out var header)
            ? new WorkflowSnapshot(new UpdateFrame(header, json, 0), "test", DateTimeOffset.UnixEpoch)
            : throw new InvalidOperationException("Test snapshot does not parse.");
    }
}

/// <summary>The API's update log in memory: versions 1..N of each of its workflows (or from a compaction point on), optionally failing the first reads.</summary>
internal sealed class FakeUpdateLog(IReadOnlySet<string> workflowIds, int latest) : IUpdateLog
{
    private int _historyReads;
    private int _stateReads;

    public FakeUpdateLog(string workflowId, int latest)
        : this(new HashSet<string>(StringComparer.Ordinal) { workflowId }, latest)
    {
    }

    /// <summary>The latest stored version.</summary>
    public int Latest { get; set; } = latest;

    /// <summary>The oldest version still in the log: retention compacted everything below it.</summary>
    public int FirstRetained { get; set; } = 1;

    /// <summary>History reads that throw <see cref="ReadFailure"/> before one succeeds.</summary>
    public int FailingReads { get; set; }

    /// <summary>What a failing read throws: by default the API being down.</summary>
    public Func<Exception> ReadFailure { get; set; } = static () => new UpdateLogUnavailableException("The test's API is down.");

    public int HistoryReads => Volatile.Read(ref _historyReads);

    public int StateReads => Volatile.Read(ref _stateReads);

    /// <summary>While set and not completed, history reads wait for it (to hold reads in flight).</summary>
    public TaskCompletionSource? Gate { get; set; }

    public Task<WorkflowSnapshot?> GetStateAsync(string id, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _stateReads);
        return Task.FromResult<WorkflowSnapshot?>(workflowIds.Contains(id) ? TestFrames.Snapshot(id, Latest) : null);
    }

    public async Task<IReadOnlyList<UpdateFrame>?> GetHistoryAsync(string id, long afterVersion, int limit, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _historyReads);
        if (Gate is { } gate)
        {
            await gate.Task.WaitAsync(cancellationToken);
        }

        if (FailingReads > 0)
        {
            FailingReads--;
            throw ReadFailure();
        }

        var from = Math.Max((int)afterVersion + 1, FirstRetained);
        IReadOnlyList<UpdateFrame> frames = [.. Enumerable.Range(from, Math.Max(0, Math.Min(limit, Latest - from + 1)))
            .Select(v => TestFrames.Update(id, v))];
        return workflowIds.Contains(id) ? frames : null;
    }
}

/// <summary>A backplane that confirms every subscription and delivers nothing (the test hands frames to topics).</summary>
internal sealed class SilentBroker : IWorkflowBroker
{
    public int SubscribedChannels => 0;

    public Task SubscribeAsync(string workflowId, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task UnsubscribeAsync(string workflowId) => Task.CompletedTask;

    public void RegisterHandler(IBrokerHandler handler)
    {
    }
}

/// <summary>Records what a topic hands over (always with room), what it delivers live, and catch-up, from a position.</summary>
internal sealed class RecordingWatcher(long position = 0) : IResumingWatcher
{
    private readonly List<(long Version, bool Live)> _delivered = [];
    private readonly List<UpdateFrame> _frames = [];

    public long Position { get; private set; } = position;

    public Exception? Failure { get; private set; }

    public IReadOnlyList<long> Versions
    {
        get { lock (_delivered) { return [.. _delivered.Select(d => d.Version)]; } }
    }

    public IReadOnlyList<(long Version, bool Live)> Delivered
    {
        get { lock (_delivered) { return [.. _delivered]; } }
    }

    /// <summary>The frames as handed over or delivered (their bytes: a reset state says so).</summary>
    public IReadOnlyList<UpdateFrame> Frames
    {
        get { lock (_delivered) { return [.. _frames]; } }
    }

    public bool TryReserve(int frames) => true;

    public void HandOver(UpdateFrame frame) => Record(frame, live: false);

    public void Deliver(UpdateFrame frame)
    {
        if (frame.Version > Position || frame.IsReset)
        {
            Record(frame, live: true);
        }
    }

    public void Fail(Exception exception) => Failure = exception;

    public ValueTask CatchUpAsync(UpdateFrame frame)
    {
        if (frame.Version == Position + 1)
        {
            Record(frame, live: false);
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask WaitForRoomAsync() => ValueTask.CompletedTask;

    private void Record(UpdateFrame frame, bool live)
    {
        Position = frame.Version;
        lock (_delivered)
        {
            _delivered.Add((frame.Version, live));
            _frames.Add(frame);
        }
    }
}

/// <summary>
/// The gateway's metrics outside a host, on the host's own meter factory (as <c>AddMetrics</c> registers it), with the
/// totals of its counters (only this instance's: other tests' meters have other factories).
/// </summary>
internal sealed class TestMetrics : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly MeterListener _listener = new();
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> _totals = new(StringComparer.Ordinal);

    public TestMetrics()
    {
        var factory = _services.GetRequiredService<IMeterFactory>();
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter.Scope, factory))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, _, _) => _totals.AddOrUpdate(instrument.Name, value, (_, total) => total + value));
        _listener.Start();
        Metrics = new GatewayMetrics(factory);
    }

    public GatewayMetrics Metrics { get; }

    /// <summary>What a counter added up to, by its instrument name (e.g. <c>vapora.gateway.slow_consumers.closed</c>).</summary>
    public long Total(string instrument) => _totals.GetValueOrDefault(instrument);

    public void Dispose()
    {
        _listener.Dispose();
        _services.Dispose();
    }
}

/// <summary>
/// A fake clock that remembers the due time of every timer created on it, so a test can wait until a retry has
/// actually started waiting before it moves the clock (advancing first would leave the later timer waiting forever).
/// </summary>
internal sealed class TimerRecordingTimeProvider : FakeTimeProvider
{
    private readonly List<TimeSpan> _dueTimes = [];

    public bool HasTimerDueIn(TimeSpan dueTime)
    {
        lock (_dueTimes)
        {
            return _dueTimes.Contains(dueTime);
        }
    }

    public int CreatedTimers
    {
        get { lock (_dueTimes) { return _dueTimes.Count; } }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        lock (_dueTimes)
        {
            _dueTimes.Add(dueTime);
        }

        return base.CreateTimer(callback, state, dueTime, period);
    }
}
