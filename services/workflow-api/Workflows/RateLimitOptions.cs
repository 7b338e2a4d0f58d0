using System.ComponentModel.DataAnnotations;

namespace Vapora.WorkflowApi.Workflows;

/// <summary>Per-client limits on writes (section <c>RateLimits</c>).</summary>
public sealed class RateLimitOptions
{
    /// <summary>Configuration section.</summary>
    public const string SectionName = "RateLimits";

    /// <summary>Sustained writes per second per client.</summary>
    [Range(1, 1_000_000)]
    public int WritesPerSecond { get; set; } = 100;

    /// <summary>Writes a client may burst above the sustained rate.</summary>
    [Range(1, 1_000_000)]
    public int WriteBurst { get; set; } = 200;
}
