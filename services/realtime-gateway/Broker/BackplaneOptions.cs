using System.ComponentModel.DataAnnotations;

namespace Vapora.RealtimeGateway.Broker;

/// <summary>How the gateway watches its backplane link (section <c>Gateway</c>, like the gateway's other settings).</summary>
public sealed class BackplaneOptions
{
    /// <summary>Configuration section (shared with the gateway's other options: the keys are the documented ones).</summary>
    public const string SectionName = "Gateway";

    /// <summary>How often a message is sent round through this gateway's probe channel; each try waits as long for it.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan BackplaneProbeInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Without a round trip for this long the backplane counts as silent: the gateway reads watched workflows from the
    /// API (<see cref="DegradedReadsPerSecond"/>) until the probe comes back. A silent link shows no error, only this.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.500", "00:05:00")]
    public TimeSpan BackplaneSilenceThreshold { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>While the backplane is silent: most watched workflows compared with the API per second (the stalest first).</summary>
    [Range(1, 100_000)]
    public int DegradedReadsPerSecond { get; set; } = 200;
}
