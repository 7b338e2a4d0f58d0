using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Vapora.WorkflowApi.Internal;

namespace Vapora.WorkflowApi.Tests;

/// <summary>
/// The API's instruments on a meter factory of their own, and what they count of <c>vapora.api.store.errors</c> by
/// operation and kind and time in <c>vapora.api.store.duration</c> by operation (only this instance's: other tests'
/// meters have other factories).
/// </summary>
internal sealed class StoreErrorCounts : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<(string Operation, string Kind), long> _counts = new();
    private readonly ConcurrentQueue<(string Operation, double Seconds)> _timed = new();

    public StoreErrorCounts(TimeProvider time)
    {
        var factory = _services.GetRequiredService<IMeterFactory>();
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter.Scope, factory) && instrument.Name is "vapora.api.store.errors" or "vapora.api.store.duration")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            string? operation = null, kind = null;
            foreach (var tag in tags)
            {
                operation = tag.Key == "operation" ? tag.Value as string : operation;
                kind = tag.Key == "kind" ? tag.Value as string : kind;
            }

            _counts.AddOrUpdate((operation!, kind!), value, (_, sum) => sum + value);
        });
        _listener.SetMeasurementEventCallback<double>((_, seconds, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "operation")
                {
                    _timed.Enqueue(((string)tag.Value!, seconds));
                }
            }
        });
        _listener.Start();
        Metrics = new ApiMetrics(factory, time);
    }

    public ApiMetrics Metrics { get; }

    /// <summary>Failures counted so far, as (operation, kind) with their count; series still at 0 left out.</summary>
    public IReadOnlyDictionary<(string Operation, string Kind), long> Counted =>
        _counts.Where(c => c.Value != 0).ToDictionary(c => c.Key, c => c.Value);

    /// <summary>Every store call timed so far, in order: its operation and seconds.</summary>
    public IReadOnlyList<(string Operation, double Seconds)> Timed => [.. _timed];

    public void Dispose()
    {
        _listener.Dispose();
        _services.Dispose();
    }
}
