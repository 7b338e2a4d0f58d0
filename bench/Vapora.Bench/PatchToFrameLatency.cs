using System.Diagnostics;
using System.Globalization;
using Vapora.Contracts;
using Vapora.Testing;

namespace Vapora.Bench;

/// <summary>One REST PATCH → its WebSocket frame, end to end through real processes, one update at a time.</summary>
internal static class PatchToFrameLatency
{
    public static async Task<int> RunAsync(string[] args)
    {
        var updates = Option(args, "--updates", 1000);
        var watchers = Option(args, "--watchers", 1);

        await using var redis = await RedisServer.StartProcessAsync();
        await using var api = await ServiceProcess.StartApiAsync(redis.ConnectionString,
            new Dictionary<string, string?> { ["RateLimits__WritesPerSecond"] = "1000000", ["RateLimits__WriteBurst"] = "1000000" });
        await using var gateway = await ServiceProcess.StartGatewayAsync(redis.ConnectionString, api.BaseUrl);
        var client = new WorkflowApiClient(api.Http);
        var workflow = await client.CreateAsync("latency", totalSteps: updates + 100);
        var sockets = new List<TestSocket>();
        for (var i = 0; i < watchers; i++)
        {
            var socket = await TestSocket.ConnectAsync(gateway.WebSocketUrl($"/api/workflows/{workflow.WorkflowId}/updates"));
            await socket.NextAsync();
            sockets.Add(socket);
        }

        // Warm-up: JIT, connection pools.
        for (var step = 1; step <= 100; step++)
        {
            await client.ProgressAsync(workflow.WorkflowId, step);
            foreach (var socket in sockets)
            {
                await socket.NextAsync();
            }
        }

        var samples = new double[updates];
        for (var i = 0; i < updates; i++)
        {
            var started = Stopwatch.GetTimestamp();
            await client.ProgressAsync(workflow.WorkflowId, 100 + i + 1);
            foreach (var socket in sockets)
            {
                await socket.NextAsync();
            }

            samples[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        }

        foreach (var socket in sockets)
        {
            await socket.DisposeAsync();
        }

        Array.Sort(samples);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"PATCH -> WebSocket frame over {updates} updates, {watchers} watcher(s): median {Percentile(samples, 50):0.00} ms, p90 {Percentile(samples, 90):0.00} ms, p99 {Percentile(samples, 99):0.00} ms, max {samples[^1]:0.00} ms"));
        return 0;
    }

    private static double Percentile(double[] sorted, double p) => sorted[(int)Math.Ceiling(p / 100 * sorted.Length) - 1];

    private static int Option(string[] args, string name, int fallback)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? int.Parse(args[index + 1], CultureInfo.InvariantCulture) : fallback;
    }
}
