using System.ComponentModel.DataAnnotations;

namespace Vapora.WorkflowApi.Persistence;

/// <summary>Which store the API uses and how long it waits for it (section <c>Storage</c>).</summary>
public sealed class StorageOptions
{
    /// <summary>Configuration section.</summary>
    public const string SectionName = "Storage";

    /// <summary>The store (case-insensitive in configuration): <c>mongodb</c> (default), <c>sqlite</c> or <c>memory</c>.</summary>
    [EnumDataType(typeof(StorageProvider))]
    public StorageProvider Provider { get; set; } = StorageProvider.MongoDb;

    /// <summary>
    /// Longest wait for one store call (a read, an append, a summary write). Beyond it the call is abandoned and the
    /// request answers 503, so a store that is down never holds a request.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan OperationTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Longest time a request to <c>/api/workflows</c> may take, all its store calls together (a write makes several,
    /// more under contention). Beyond it the request answers 503 with Retry-After, so a store that accepts connections
    /// and then stalls gives a prompt, retryable answer instead of a hang. Not below <see cref="OperationTimeout"/>.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:05:00")]
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long a PATCH keeps retrying while other writers take the next version of the same workflow (backing off
    /// exponentially, at most <see cref="ContentionMaxDelay"/> between attempts) before it answers 503.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00")]
    public TimeSpan ContentionTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Longest pause between two attempts of a contended write.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:00:10")]
    public TimeSpan ContentionMaxDelay { get; set; } = TimeSpan.FromMilliseconds(100);
}

/// <summary>The stores the API can use.</summary>
public enum StorageProvider
{
    /// <summary>Durable, shared by API replicas; needs <c>ConnectionStrings:mongodb</c>.</summary>
    MongoDb,

    /// <summary>Durable, one machine; needs <c>ConnectionStrings:sqlite</c> (e.g. <c>Data Source=/var/lib/vapora/vapora.db</c>).</summary>
    Sqlite,

    /// <summary>In this process's memory: not durable, one API replica only.</summary>
    Memory,
}
