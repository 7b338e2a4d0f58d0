using System.Diagnostics;
using System.Globalization;
using Spectre.Console;
using Vapora.Bench.Cli;
using Vapora.Bench.Clients;
using Vapora.Bench.Measurement;
using Vapora.Bench.Reporting;
using Vapora.Bench.Targets;

namespace Vapora.Bench.Scenarios;

/// <summary>One idle-memory measurement: fresh processes, N connections that receive nothing, RSS once it settles.</summary>
internal static class IdleRun
{
    private static readonly TimeSpan IdleCpuWindow = TimeSpan.FromSeconds(5);

    /// <param name="hold">Keeps everything up this long after measuring (e.g. to take <c>dotnet-gcdump collect -p PID</c> of the server).</param>
    public static async Task<IdleFigures> MeasureAsync(LoadOptions options, TimeSpan settleAtMost, TimeSpan hold, ProgressContext progress, string label, CancellationToken cancellationToken)
    {
        var starting = progress.AddTask(Markup.Escape($"{label} starting processes"), maxValue: 1);
        await using var target = await TargetLauncher.StartAsync(options, cancellationToken);
        var (baseline, _) = await MemorySettling.WaitAsync(target.ServerPid, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(20), cancellationToken);
        starting.Increment(1);

        var connecting = progress.AddTask(Markup.Escape(string.Create(CultureInfo.InvariantCulture, $"{label} connecting {options.Clients} clients")), maxValue: options.Clients);
        await using var fleet = await Fleets.ConnectAsync(target, options, connecting, cancellationToken);

        var settling = progress.AddTask(Markup.Escape(string.Create(CultureInfo.InvariantCulture, $"{label} waiting for RSS to settle (at most {settleAtMost.TotalSeconds:0} s)")), maxValue: 1);
        var settleStarted = Stopwatch.GetTimestamp();
        var (connected, settled) = await MemorySettling.WaitAsync(target.ServerPid, TimeSpan.FromSeconds(3), settleAtMost, cancellationToken);
        var settleTime = Stopwatch.GetElapsedTime(settleStarted);
        settling.Increment(1);

        var cpuStart = ProcessSample.Take(target.ServerPid);
        await Task.Delay(IdleCpuWindow, cancellationToken);
        var cpuEnd = ProcessSample.Take(target.ServerPid);
        var result = await fleet.ResultAsync(new long[options.Workflows]);
        if (hold > TimeSpan.Zero)
        {
            var holding = progress.AddTask(Markup.Escape(string.Create(CultureInfo.InvariantCulture, $"{label} holding the connections {hold.TotalSeconds:0} s; server PID {target.ServerPid}")), maxValue: 1);
            await Task.Delay(hold, cancellationToken);
            holding.Increment(1);
        }

        return new IdleFigures
        {
            RssBaselineMib = baseline.RssKiB / 1024.0,
            RssConnectedMib = connected.RssKiB / 1024.0,
            RssPerConnectionKib = (connected.RssKiB - baseline.RssKiB) / (double)options.Clients,
            PeakRssMib = cpuEnd.PeakRssKiB / 1024.0,
            Settled = settled,
            SettleSeconds = settleTime.TotalSeconds,
            IdleServerCpuCores = cpuEnd.CoresSince(cpuStart),
            ConnectSeconds = fleet.ConnectTime.TotalSeconds,
            Disconnected = result.Disconnected,
            FirstProblem = result.FirstProblem,
        };
    }
}
