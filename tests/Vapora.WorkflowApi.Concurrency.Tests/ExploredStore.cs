using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Vapora.WorkflowApi.Persistence;
using Vapora.WorkflowApi.Persistence.Memory;
using Vapora.WorkflowApi.Persistence.Sqlite;

namespace Vapora.WorkflowApi.Concurrency.Tests;

/// <summary>The stores whose primitives differ, each fresh per explored schedule.</summary>
public enum StoreKind
{
    Memory,
    Sqlite,
}

/// <summary>A fresh store of one kind; SQLite lives in a shared in-memory database kept open while the schedule runs.</summary>
internal sealed class ExploredStore : IDisposable
{
    private static long s_databases;
    private readonly SqliteConnection? _keeper;

    public ExploredStore(StoreKind kind, TimeProvider time)
    {
        if (kind == StoreKind.Memory)
        {
            Primitives = new InMemoryStorage(time, NullLogger<InMemoryStorage>.Instance);
            return;
        }

        // The same SQL as on a file (a file's fsyncs would cost each schedule milliseconds).
        var connectionString = $"Data Source=vapora-explore-{Interlocked.Increment(ref s_databases)};Mode=Memory;Cache=Shared;Pooling=False";
        _keeper = new SqliteConnection(connectionString);
        _keeper.Open();
        Primitives = new SqliteStorage(connectionString, TimeSpan.Zero, time);
    }

    public IStoragePrimitives Primitives { get; }

    public void Dispose() => _keeper?.Dispose();
}
