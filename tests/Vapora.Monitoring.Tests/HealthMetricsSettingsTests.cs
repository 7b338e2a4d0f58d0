using Vapora.Testing;

namespace Vapora.Monitoring.Tests;

/// <summary>The setting behind <c>vapora_health_check_status</c> is validated when a service starts.</summary>
public sealed class HealthMetricsSettingsTests
{
    [Fact]
    public async Task A_health_publish_interval_below_one_second_stops_the_service_at_start_naming_the_setting()
    {
        // No Redis is needed: the API starts without one, and the settings are validated before it serves.
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => ServiceProcess.StartApiAsync("127.0.0.1:1",
            new Dictionary<string, string?> { ["Health__PublishInterval"] = "00:00:00.500" }));

        Assert.Contains("Health:PublishInterval must be between 00:00:01 and 00:05:00", failure.Message, StringComparison.Ordinal);
    }
}
