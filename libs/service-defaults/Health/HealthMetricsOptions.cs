using System.ComponentModel.DataAnnotations;

namespace Vapora.ServiceDefaults.Health;

/// <summary>Readiness as a metric (section <c>Health</c>).</summary>
public sealed class HealthMetricsOptions
{
    /// <summary>Configuration section.</summary>
    public const string SectionName = "Health";

    /// <summary>
    /// How often every health check runs in the background to refresh <c>vapora_health_check_status</c>
    /// (<c>Health__PublishInterval</c>). An alert sees a failure at most this much plus one scrape late.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00", ErrorMessage = "Health:PublishInterval must be between 00:00:01 and 00:05:00.")]
    public TimeSpan PublishInterval { get; set; } = TimeSpan.FromSeconds(10);
}
