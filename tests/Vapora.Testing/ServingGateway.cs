using System.Diagnostics;

namespace Vapora.Testing;

/// <summary>Which of several gateways serves the connection under test, read from their metrics.</summary>
public static class ServingGateway
{
    // The metrics endpoint answers from a cache for a moment (OpenTelemetry's Prometheus exporter: 300 ms by default),
    // so one read can still show a connection that just closed on one gateway and miss one that just opened on another.
    private static readonly TimeSpan Settled = TimeSpan.FromMilliseconds(600);

    /// <summary>
    /// The one gateway whose <paramref name="count"/> is <paramref name="expected"/> while every other's is 0, the same
    /// answer on every read for longer than the metrics cache lasts.
    /// </summary>
    public static async Task<ServiceProcess> FindAsync(IReadOnlyList<ServiceProcess> gateways, Func<MetricsSnapshot, double> count,
        int expected, string what)
    {
        var clock = Stopwatch.StartNew();
        ServiceProcess? candidate = null;
        var since = TimeSpan.Zero;
        var found = await Poll.ForAsync(async () =>
        {
            var counts = new List<(ServiceProcess Gateway, double Count)>();
            foreach (var gateway in gateways)
            {
                counts.Add((gateway, count(await gateway.MetricsAsync())));
            }

            var current = counts.Sum(c => c.Count) == expected && counts.Count(c => c.Count > 0) == 1
                ? counts.Single(c => c.Count > 0).Gateway
                : null;
            if (current is null || !ReferenceEquals(current, candidate))
            {
                (candidate, since) = (current, clock.Elapsed);
                return null;
            }

            return clock.Elapsed - since >= Settled ? current : null;
        }, g => g is not null, TimeSpan.FromSeconds(15), what);
        return found!;
    }
}
