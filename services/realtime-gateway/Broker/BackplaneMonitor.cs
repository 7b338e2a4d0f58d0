using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;
using Vapora.RealtimeGateway.Internal;

namespace Vapora.RealtimeGateway.Broker;

/// <summary>
/// Sends a message round through this gateway's probe channel every <see cref="BackplaneOptions.BackplaneProbeInterval"/>
/// and knows when the last one came back. A silent link (no FIN, no RST, bytes neither delivered nor refused) raises
/// no Redis event at all: the missing round trip is the only sign, and readiness and the degraded mode act on it.
/// </summary>
internal sealed class BackplaneMonitor : BackgroundService
{
    private readonly BackplaneProbe _probe;
    private readonly BackplaneOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<BackplaneMonitor> _logger;
    private long _lastRoundTrip;
    private long _deliveringSince;
    private bool _reportedSilent;

    public BackplaneMonitor(BackplaneProbe probe, IOptions<BackplaneOptions> options, TimeProvider time, IMeterFactory meters,
        ILogger<BackplaneMonitor> logger)
    {
        _probe = probe;
        _options = options.Value;
        _time = time;
        _logger = logger;
        // Counted from start-up: a gateway that never got a round trip turns silent after the threshold, not at once.
        _lastRoundTrip = time.GetTimestamp();
        _deliveringSince = _lastRoundTrip;
        meters.Create(GatewayMetrics.MeterName).CreateObservableGauge("vapora.gateway.backplane.silence", () => SinceLastRoundTrip.TotalSeconds, "s",
            "Time since a message last made the round trip through this gateway's probe channel (about the probe interval while Redis delivers).");
    }

    /// <summary>A round trip succeeded within <see cref="BackplaneOptions.BackplaneSilenceThreshold"/>.</summary>
    public bool IsDelivering => SinceLastRoundTrip < _options.BackplaneSilenceThreshold;

    /// <summary>Time since the last successful round trip (or since start-up, before the first).</summary>
    public TimeSpan SinceLastRoundTrip => _time.GetElapsedTime(Volatile.Read(ref _lastRoundTrip));

    /// <summary>Time since the link delivers again after a silence (or since start-up): how long others could have been heard.</summary>
    public TimeSpan SinceDeliveringAgain => _time.GetElapsedTime(Volatile.Read(ref _deliveringSince));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = _options.BackplaneProbeInterval;
        while (!stoppingToken.IsCancellationRequested)
        {
            var started = _time.GetTimestamp();
            try
            {
                if (await _probe.RoundTripAsync(interval, stoppingToken))
                {
                    OnRoundTrip();
                }
                else if (!IsDelivering && !_reportedSilent)
                {
                    _reportedSilent = true;
                    BackplaneLog.Silent(_logger, SinceLastRoundTrip.TotalSeconds);
                }

                var left = interval - _time.GetElapsedTime(started);
                if (left > TimeSpan.Zero)
                {
                    await Task.Delay(left, _time, stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    private void OnRoundTrip()
    {
        var silentFor = SinceLastRoundTrip;
        var now = _time.GetTimestamp();
        if (silentFor >= _options.BackplaneSilenceThreshold)
        {
            Volatile.Write(ref _deliveringSince, now);
        }

        Volatile.Write(ref _lastRoundTrip, now);
        if (_reportedSilent)
        {
            _reportedSilent = false;
            BackplaneLog.Delivering(_logger, silentFor.TotalSeconds);
        }
    }
}
