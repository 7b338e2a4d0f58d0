using System.Net.Sockets;
using StackExchange.Redis;
using Vapora.Testing;

namespace Vapora.Operations.Tests.Kubernetes;

/// <summary>
/// A real redis-server with the manifests' memory flags and gateways that stop reading: one is dropped at its
/// output-buffer limit, and many together are dropped before their buffers pass the clients' budget, so Redis stays
/// below the container's memory limit (512Mi) instead of being OOM-killed with every subscription at once.
/// </summary>
public sealed class RedisMemoryTests
{
    private const long MiB = 1 << 20;
    private const long ContainerLimit = 512 * MiB;
    private static readonly byte[] LargestUpdate = new byte[64 * 1024];

    [Fact]
    public async Task A_gateway_that_stops_reading_is_dropped_at_the_pubsub_hard_limit()
    {
        await using var redis = await RedisServer.StartWithAclAsync(await RedisMemory.ManifestArgumentsAsync());
        var admin = await redis.AdminAsync();
        using var stalled = await RedisMemory.StalledSubscriberAsync(redis.Port, "stalled-gateway", "vapora:wf:{stalled}");

        // 40 MiB of the largest updates: 8 more than the 32 MiB hard limit, after the kernel's buffers took theirs.
        var largest = 0L;
        for (var sent = 0L; sent < 40 * MiB; sent += LargestUpdate.Length)
        {
            await admin.GetSubscriber().PublishAsync(RedisChannel.Literal("vapora:wf:{stalled}"), LargestUpdate);
            if (sent % (2 * MiB) == 0)
            {
                largest = Math.Max(largest, (await RedisMemory.OutputBuffersAsync(admin, redis.Port, "stalled-")).Values.DefaultIfEmpty().Max());
            }
        }

        Assert.Empty(await RedisMemory.OutputBuffersAsync(admin, redis.Port, "stalled-"));
        Assert.InRange(largest, 8 * MiB, 32 * MiB + LargestUpdate.Length);
    }

    [Fact]
    public async Task Many_gateways_that_stop_reading_are_dropped_largest_first_before_redis_nears_its_memory_limit()
    {
        await using var redis = await RedisServer.StartWithAclAsync(await RedisMemory.ManifestArgumentsAsync());
        var admin = await redis.AdminAsync();
        var stalled = new List<Socket>();
        try
        {
            for (var i = 0; i < 16; i++)
            {
                stalled.Add(await RedisMemory.StalledSubscriberAsync(redis.Port, $"stalled-{i}", "vapora:wf:{burst}"));
            }

            // 28 MiB to each: below the 32 MiB a single subscriber may hold, but 16 × ~24 MiB is more than the 320 MB
            // all clients may hold together.
            var total = 0L;
            for (var sent = 0L; sent < 28 * MiB; sent += LargestUpdate.Length)
            {
                await admin.GetSubscriber().PublishAsync(RedisChannel.Literal("vapora:wf:{burst}"), LargestUpdate);
                total = Math.Max(total, (await RedisMemory.OutputBuffersAsync(admin, redis.Port, "stalled-")).Values.Sum());
            }

            // Redis's "mb" is MiB; the budget is checked between commands, so one message per subscriber may overshoot it.
            Assert.True(await RedisMemory.InfoAsync(admin, redis.Port, "evicted_clients") > 0, "no subscriber was dropped for the clients' budget");
            Assert.InRange(total, 200 * MiB, 320 * MiB + (16L * LargestUpdate.Length));
            Assert.True(RedisMemory.PeakResidentBytes(redis.Pid!.Value) < ContainerLimit * 3 / 4,
                $"redis-server reached {RedisMemory.PeakResidentBytes(redis.Pid!.Value) / MiB} MiB resident");
        }
        finally
        {
            stalled.ForEach(s => s.Dispose());
        }
    }
}
