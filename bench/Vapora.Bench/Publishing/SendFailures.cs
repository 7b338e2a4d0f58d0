namespace Vapora.Bench.Publishing;

/// <summary>Failed sends: how many, and the first error for the report. Thread-safe.</summary>
internal sealed class SendFailures
{
    private long _count;
    private string? _first;

    public long Count => Interlocked.Read(ref _count);

    public string? First => Volatile.Read(ref _first);

    public void Record(string error)
    {
        Interlocked.Increment(ref _count);
        Interlocked.CompareExchange(ref _first, error, null);
    }
}
