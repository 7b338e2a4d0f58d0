using Vapora.Deployment.Tests.Podman;

namespace Vapora.Deployment.Tests.Compose;

/// <summary>
/// Runs the health checks of a compose project's containers every <see cref="Interval"/>, as podman's systemd timers
/// would on a machine with systemd (here podman only logs that it cannot create them, and health stays "starting").
/// </summary>
public sealed class HealthChecks : IDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public HealthChecks(string project) => _loop = Task.Run(() => RunAsync(project, _stop.Token));

    public void Dispose()
    {
        _stop.Cancel();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(30));
        }
        catch (AggregateException ex) when (ex.InnerException is OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    private static async Task RunAsync(string project, CancellationToken stop)
    {
        using var timer = new PeriodicTimer(Interval);
        do
        {
            var running = await PodmanCli.RunAsync("ps", "--quiet", "--filter", $"label=com.docker.compose.project={project}");
            foreach (var id in running.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                // Containers without a health check answer with an error: nothing to run there.
                await PodmanCli.RunAsync("healthcheck", "run", id);
            }
        }
        while (await timer.WaitForNextTickAsync(stop));
    }
}
