using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Vapora.Contracts;
using Vapora.WorkflowApi.Internal;
using Vapora.WorkflowApi.Lifecycle;
using Vapora.WorkflowApi.Messaging;
using Vapora.WorkflowApi.Persistence;
using Vapora.WorkflowApi.Persistence.Memory;
using Vapora.WorkflowApi.Workflows;
using Vapora.Contracts.Serialization;

namespace Vapora.WorkflowApi.Tests;

/// <summary>The API's own write path and outbox relay over a storage, wired as the API wires them, without a host.</summary>
internal static class StoreHarness
{
    private static readonly IMeterFactory Meters = new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<IMeterFactory>();

    public static ApiMetrics Metrics() => new(Meters, TimeProvider.System);

    public static InMemoryStorage Memory(TimeProvider? time = null) => new(time ?? TimeProvider.System, NullLogger<InMemoryStorage>.Instance);

    public static WorkflowRules Rules(IStoragePrimitives storage, StorageOptions? options = null, TimeProvider? time = null) =>
        new(storage, time ?? TimeProvider.System, Options.Create(options ?? new StorageOptions()), Options.Create(new RetentionOptions()),
            NullLogger<WorkflowRules>.Instance);

    /// <summary>The write path as the endpoints run it (<see cref="UpdateWriter"/>: rules, summary, publish), with the rules' reads.</summary>
    public static WritePath WritePath(IStoragePrimitives storage, IUpdatePublisher? publisher = null, TimeProvider? time = null) =>
        new(UpdateWriter(storage, publisher, time), Rules(storage, time: time));

    public static UpdateWriter UpdateWriter(IStoragePrimitives storage, IUpdatePublisher? publisher = null, TimeProvider? time = null) =>
        new(Rules(storage, time: time), storage,
            new UpdateDispatcher(publisher ?? new RecordingPublisher(), [], Metrics(), time ?? TimeProvider.System, Options.Create(new PublishingOptions()),
                NullLogger<UpdateDispatcher>.Instance),
            new PublishedMarks(storage, NullLogger<PublishedMarks>.Instance), Metrics(), NullLogger<UpdateWriter>.Instance);

    public static BoundedStorage Bounded(IStoragePrimitives storage, StorageOptions? options = null) =>
        new(storage, Options.Create(options ?? new StorageOptions()), Metrics(), TimeProvider.System, NullLogger<BoundedStorage>.Instance, []);

    public static OutboxRelay Relay(IStoragePrimitives storage, IUpdatePublisher publisher, PublishingOptions? options = null,
        ApiMetrics? metrics = null, TimeProvider? time = null) =>
        new(storage, publisher, metrics ?? Metrics(), time ?? TimeProvider.System, Options.Create(options ?? new PublishingOptions()),
            NullLogger<OutboxRelay>.Instance);

    /// <summary>A create; with <paramref name="key"/>, keyed for <paramref name="subject"/> (fingerprint: the name unless given).</summary>
    public static NewWorkflow NewWorkflow(string name = "build", int totalSteps = 10, string? key = null, string? fingerprint = null, DateTimeOffset? now = null,
        string subject = SubjectKey.Anonymous)
    {
        var at = UtcTimestampJsonConverter.Truncate(now ?? DateTimeOffset.UtcNow);
        return new NewWorkflow(WorkflowIdGenerator.NewId(at), name, totalSteps, null, at,
            key is null ? null : new IdempotentRequest(new SubjectKey(subject, key), fingerprint ?? name));
    }

    /// <summary>A PATCH's Idempotency-Key for <paramref name="subject"/>, with a fingerprint that stands for its request.</summary>
    public static IdempotentRequest PatchKey(string key, string fingerprint = "patch", string subject = SubjectKey.Anonymous) =>
        new(new SubjectKey(subject, key), fingerprint);

    public static WorkflowChange Step(int step) => new(WorkflowStatus.Running, step, null, null);

    /// <summary>Version <paramref name="version"/> of a workflow as the write path would store it.</summary>
    public static LogEntry Entry(string workflowId, long version, WorkflowStatus status = WorkflowStatus.Running, string name = "entry", DateTimeOffset? createdAt = null)
    {
        var created = UtcTimestampJsonConverter.Truncate(createdAt ?? DateTimeOffset.UtcNow);
        return new LogEntry(StoredUpdate.Encode(new WorkflowUpdate
        {
            WorkflowId = workflowId,
            Version = version,
            Status = version == 1 ? WorkflowStatus.Pending : status,
            CurrentStep = 0,
            TotalSteps = 10,
            Message = "v" + version,
            Timestamp = created.AddMilliseconds(version),
        }), name, created);
    }
}

/// <summary>Records what the relay publishes (the relay's Redis publishing itself is covered by OutboxTests against a real Redis).</summary>
internal sealed class RecordingPublisher : IUpdatePublisher
{
    public ConcurrentQueue<UpdateKey> Published { get; } = new();

    public Task PublishAsync(StoredUpdate update, CancellationToken cancellationToken)
    {
        Published.Enqueue(new UpdateKey(update.Update.WorkflowId, update.Update.Version));
        return Task.CompletedTask;
    }
}

/// <summary>Summary writes fail (of one workflow, or of all), as when MongoDB refuses them after the log insert succeeded.</summary>
internal sealed class SummaryRefusingStorage(IStoragePrimitives inner, string? onlyWorkflowId = null) : DelegatingStorage(inner)
{
    public override Task<bool> UpsertSummaryAsync(LogEntry entry, CancellationToken cancellationToken) =>
        onlyWorkflowId is null || entry.WorkflowId == onlyWorkflowId
            ? throw new StoreUnavailableException("upsert_summary", "Refused by the test.")
            : base.UpsertSummaryAsync(entry, cancellationToken);
}

/// <summary>Counts the outbox measurements asked of it; refuses them all when <paramref name="refuse"/>, as a store that times out on a big count.</summary>
internal sealed class CountWatchingStorage(IStoragePrimitives inner, bool refuse = false) : DelegatingStorage(inner)
{
    private int _counts;

    public int Counts => Volatile.Read(ref _counts);

    public override Task<OutboxBacklog> MeasureUnpublishedAsync(DateTimeOffset acceptedBefore, long cap, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _counts);
        return refuse
            ? throw new StoreUnavailableException("outbox_count", "Refused by the test.")
            : base.MeasureUnpublishedAsync(acceptedBefore, cap, cancellationToken);
    }
}

/// <summary>
/// The API's instruments on a meter factory of their own, and a listener that reads their gauges when asked (only
/// this instance's: other tests' meters have other factories).
/// </summary>
internal sealed class ApiGauges : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, double> _values = new(StringComparer.Ordinal);

    /// <summary>Ages (<c>vapora.api.outbox.oldest_age</c>) are measured by <paramref name="time"/>, the system clock by default.</summary>
    public ApiGauges(TimeProvider? time = null)
    {
        var factory = _services.GetRequiredService<IMeterFactory>();
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter.Scope, factory))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, _, _) => _values[instrument.Name] = value);
        _listener.SetMeasurementEventCallback<double>((instrument, value, _, _) => _values[instrument.Name] = value);
        _listener.Start();
        Metrics = new ApiMetrics(factory, time ?? TimeProvider.System);
    }

    public ApiMetrics Metrics { get; }

    /// <summary>What a whole-number gauge shows now, by its instrument name (e.g. <c>vapora.api.outbox.backlog</c>).</summary>
    public long Read(string instrument) => (long)ReadDouble(instrument);

    /// <summary>What a gauge shows now, by its instrument name (e.g. <c>vapora.api.outbox.oldest_age</c>, in seconds).</summary>
    public double ReadDouble(string instrument)
    {
        _listener.RecordObservableInstruments();
        return _values[instrument];
    }

    public void Dispose()
    {
        _listener.Dispose();
        _services.Dispose();
    }
}

/// <summary>Every version after the first is always taken by "another writer" a moment earlier.</summary>
internal sealed class RaceLosingStorage(IStoragePrimitives inner) : DelegatingStorage(inner)
{
    private int _lost;

    public int Lost => Volatile.Read(ref _lost);

    public override Task<bool> TryAppendAsync(LogEntry entry, CancellationToken cancellationToken)
    {
        if (entry.Version == 1)
        {
            return base.TryAppendAsync(entry, cancellationToken);
        }

        Interlocked.Increment(ref _lost);
        return Task.FromResult(false);
    }
}
