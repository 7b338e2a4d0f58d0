using System.ComponentModel.DataAnnotations;

namespace Vapora.WorkflowApi.Workflows;

/// <summary>Input limits of the REST API (section <c>Workflows</c>).</summary>
public sealed class WorkflowLimits
{
    /// <summary>Configuration section.</summary>
    public const string SectionName = "Workflows";

    /// <summary>Longest accepted name (characters). The contract says 1–200.</summary>
    [Range(1, 200)]
    public int MaxNameLength { get; set; } = 200;

    /// <summary>Longest accepted message (characters).</summary>
    [Range(1, 100_000)]
    public int MaxMessageLength { get; set; } = 2_000;

    /// <summary>Largest accepted total_steps.</summary>
    [Range(1, int.MaxValue)]
    public int MaxTotalSteps { get; set; } = 1_000_000;

    /// <summary>Largest accepted request body (bytes); larger bodies get 413.</summary>
    [Range(256, 16 * 1024 * 1024)]
    public int MaxBodyBytes { get; set; } = 64 * 1024;

    /// <summary>Page size of the list endpoint when none is asked for.</summary>
    [Range(1, 1000)]
    public int DefaultPageSize { get; set; } = 50;

    /// <summary>Largest page of the list endpoint.</summary>
    [Range(1, 1000)]
    public int MaxPageSize { get; set; } = 500;

    /// <summary>History entries per response when no limit is asked for (the contract says 100).</summary>
    [Range(1, 1000)]
    public int DefaultHistoryLimit { get; set; } = 100;

    /// <summary>Largest history page (the contract says 1000).</summary>
    [Range(1, 1000)]
    public int MaxHistoryLimit { get; set; } = 1000;

    /// <summary>Longest accepted Idempotency-Key.</summary>
    [Range(1, 1000)]
    public int MaxIdempotencyKeyLength { get; set; } = 255;
}
