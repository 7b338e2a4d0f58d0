using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Vapora.Contracts;
using Vapora.RealtimeGateway.Internal;

namespace Vapora.RealtimeGateway.Connections;

/// <summary>
/// Graceful drain on SIGTERM: the gateway turns unready at once, then closes its sockets with 1001 "going away"
/// in paced waves over <see cref="ConnectionOptions.DrainWindow"/>, so the clients resume on other replicas without
/// all arriving there in the same instant.
/// </summary>
internal sealed class ConnectionDrainer(
    ConnectionRegistry registry,
    IHostApplicationLifetime lifetime,
    IOptions<ConnectionOptions> options,
    TimeProvider time,
    ILogger<ConnectionDrainer> logger) : IHostedService, IHealthCheck
{
    private const int Waves = 10;
    private readonly ConnectionOptions _options = options.Value;
    private Task _drain = Task.CompletedTask;
    private volatile bool _draining;

    public bool IsDraining => _draining;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStopping.Register(() =>
        {
            _draining = true;
            _drain = DrainAsync();
        });
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _drain.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // The host's shutdown timeout won; whatever is still open is aborted by the server.
        }
    }

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(_draining ? HealthCheckResult.Unhealthy("Draining: shutting down.") : HealthCheckResult.Healthy());

    private async Task DrainAsync()
    {
        await Task.Yield();
        var started = time.GetTimestamp();
        var connections = registry.Connections.ToList();
        GatewayLog.Draining(logger, connections.Count, _options.DrainWindow);
        var perWave = (connections.Count + Waves - 1) / Waves;
        var interval = _options.DrainWindow / Waves;
        for (var wave = 0; wave < Waves && perWave > 0; wave++)
        {
            foreach (var connection in connections.Skip(wave * perWave).Take(perWave))
            {
                connection.Close(CloseReason.GoingAway);
            }

            if (wave < Waves - 1)
            {
                await Task.Delay(interval, time);
            }
        }

        // Connections that arrived during the drain are closed by the acceptor; wait for the handshakes to finish.
        while (registry.Count > 0 && time.GetElapsedTime(started) < _options.DrainWindow + _options.CloseTimeout)
        {
            foreach (var connection in registry.Connections)
            {
                connection.Close(CloseReason.GoingAway);
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50), time);
        }

        GatewayLog.Drained(logger, registry.Count, time.GetElapsedTime(started));
    }
}
