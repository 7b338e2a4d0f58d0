using System.Diagnostics;
using Vapora.Testing;

namespace Vapora.Deployment.Tests;

/// <summary>
/// The images under test, made once per test run by <c>scripts/build-images.sh</c>: the service images from the
/// shipped Dockerfiles on local stand-in bases (made on first use, then cached in podman's storage), and the Redis
/// and nginx stand-ins. A second run rebuilds only what changed.
/// </summary>
public sealed class ServiceImages : IAsyncLifetime
{
    public const string WorkflowApi = "localhost/vapora/workflow-api:local";
    public const string RealtimeGateway = "localhost/vapora/realtime-gateway:local";
    public const string Redis = "localhost/vapora-standin/redis:local";
    public const string Nginx = "localhost/vapora-standin/nginx:local";

    private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(30);

    /// <summary>How long making the images took in this run (cold: everything; warm: the cache answered).</summary>
    public TimeSpan BuildTime { get; private set; }

    /// <summary>The image of a Deployment of deploy/k8s, by its name.</summary>
    public static string ForDeployment(string deployment) => deployment switch
    {
        "workflow-api" => WorkflowApi,
        "realtime-gateway" => RealtimeGateway,
        "redis" => Redis,
        _ => throw new ArgumentException($"No image is built here for the Deployment {deployment}.", nameof(deployment)),
    };

    public async ValueTask InitializeAsync()
    {
        var started = Stopwatch.StartNew();
        await using var build = ManagedProcess.Start("build-images", "bash", [Path.Combine(RepositoryPaths.Root, "scripts", "build-images.sh")],
            new Dictionary<string, string?> { ["VAPORA_IMAGES_LOG_DIR"] = Path.Combine(RepositoryPaths.TestLogs, "image-build") });
        if (!await build.WaitForExitAsync(BuildTimeout))
        {
            throw new TimeoutException($"scripts/build-images.sh did not finish within {BuildTimeout}:{Environment.NewLine}{build.Tail()}");
        }

        if (build.ExitCode != 0)
        {
            throw new InvalidOperationException($"scripts/build-images.sh failed ({build.ExitCode}):{Environment.NewLine}{build.Tail()}");
        }

        BuildTime = started.Elapsed;
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
