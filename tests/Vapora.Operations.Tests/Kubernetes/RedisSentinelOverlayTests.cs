using Vapora.Testing;

namespace Vapora.Operations.Tests.Kubernetes;

/// <summary>
/// The redis-sentinel overlay's scripts with real redis-server and redis-sentinel processes: a first start makes
/// redis-node-0 the primary watched by three Sentinels; when it dies a replica is promoted, and a node or a Sentinel
/// that restarts finds the new primary instead of its first one.
/// </summary>
public sealed class RedisSentinelOverlayTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task The_sentinels_fail_over_and_restarted_pods_rejoin_the_current_primary()
    {
        await using var set = await ManifestSentinelSet.StartAsync();

        // First start: node 0 leads, the others replicate it, every Sentinel sees two peers and two replicas.
        await Poll.UntilAsync(async () =>
        {
            for (var s = 0; s < 3; s++)
            {
                if (await set.PrimaryAsync(s) != ManifestSentinelSet.NodeName(0) || await set.SentinelViewAsync(s) != (2, 2))
                {
                    return false;
                }
            }

            return true;
        }, Deadline, "every Sentinel to watch redis-node-0 with two replicas and two other Sentinels");

        await set.KillNodeAsync(0);
        string? promoted = null;
        await Poll.UntilAsync(async () => (promoted = await set.PrimaryAsync(1)) is { } p && p != ManifestSentinelSet.NodeName(0),
            Deadline, "the Sentinels to promote a replica");
        var promotedIndex = promoted == ManifestSentinelSet.NodeName(1) ? 1 : 2;
        await Poll.UntilAsync(async () => (await set.RoleAsync(promotedIndex))?.StartsWith("master", StringComparison.Ordinal) == true,
            Deadline, $"{promoted} to say it is the primary");

        // The old primary's pod comes back: its start asks the Sentinels and it replicates the new primary.
        await set.StartNodeAsync(0);
        await Poll.UntilAsync(async () => await set.ReplicationAsync(0) is { } info
            && info.Contains("role:slave", StringComparison.Ordinal) && info.Contains("master_link_status:up", StringComparison.Ordinal)
            && info.Contains($"master_host:{promoted}", StringComparison.Ordinal),
            Deadline, $"redis-node-0 to replicate {promoted}");

        // A Sentinel whose configuration was lost (emptyDir) comes back watching the current primary.
        await set.KillSentinelAsync(0);
        await set.StartSentinelAsync(0);
        await Poll.UntilAsync(async () => await set.PrimaryAsync(0) == promoted && (await set.SentinelViewAsync(0)).Replicas == 2,
            Deadline, $"the restarted Sentinel to watch {promoted} and its two replicas");
    }
}
