using System.Diagnostics;
using System.Globalization;
using HdrHistogram;
using Spectre.Console;
using Vapora.Bench.Clients;
using Vapora.Bench.Measurement;
using Vapora.Bench.Publishing;
using Vapora.Bench.Reporting;
using Vapora.Bench.Targets;
using Vapora.Testing;

namespace Vapora.Bench.Scenarios;

/// <summary>
/// One run of the tokens scenario with fresh processes: a gateway with JWT authentication, clients whose tokens live
/// <see cref="TokensSettings.LifetimeSeconds"/> and are renewed in-band or by reconnecting, updates through REST; counts
/// what the token expiries cost over the measured window and checks every version arrives once, in order.
/// </summary>
internal static class TokensRun
{
    private const string Accepted = "result=\"accepted\"";
    private const string Refused = "result=\"refused\"";

    public static async Task<TokensFigures> MeasureAsync(TokensSettings settings, ProgressContext progress, string label, CancellationToken cancellationToken)
    {
        var starting = progress.AddTask(Markup.Escape($"{label} starting processes"), maxValue: 1);
        var issuer = new TokenFactory();
        await using var target = await VaporaTarget.StartAsync(settings.Fleet, cancellationToken, issuer.ServiceSettings());
        starting.Increment(1);

        var connecting = progress.AddTask(Markup.Escape(string.Create(CultureInfo.InvariantCulture, $"{label} connecting {settings.Clients} clients")), maxValue: settings.Clients);
        // Each client resumes where it first connected: straight to the one gateway.
        var plan = target.Plan with { ResumeUrls = target.Plan.Urls, Tokens = new TokenPlan(issuer.SharedSecret, settings.LifetimeSeconds, settings.Refresh) };
        await using var fleet = await Fleets.ConnectAsync(target, plan, settings.Fleet, connecting, cancellationToken);
        await using var publisher = await target.CreatePublisherAsync(cancellationToken);
        var pacer = new Pacer(publisher, settings.Workflows, settings.Rate);
        var running = progress.AddTask(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
            $"{label} {settings.Rate} updates/s; warm-up {settings.WarmupSeconds} s, measured {settings.DurationSeconds} s ({settings.Lifetimes:0.#} token lifetimes)")), maxValue: 1);

        long windowStart, windowEnd, sentAtStart, sentAtEnd;
        MetricsSnapshot gatewayBefore, gatewayAfter;
        WindowCpu cpuBefore, cpuAfter;
        pacer.Start();
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(settings.WarmupSeconds), cancellationToken);
            gatewayBefore = await target.GatewayMetricsAsync();
            windowStart = Stopwatch.GetTimestamp();
            sentAtStart = pacer.Sent;
            cpuBefore = WindowCpu.Take(target.ServerPid, target.HelperPids["workflow-api"], fleet);
            await fleet.StartWindowAsync(windowStart);
            await Task.Delay(TimeSpan.FromSeconds(settings.DurationSeconds), cancellationToken);
            windowEnd = Stopwatch.GetTimestamp();
            sentAtEnd = pacer.Sent;
            await fleet.EndWindowAsync(windowEnd);
            gatewayAfter = await target.GatewayMetricsAsync();
            cpuAfter = WindowCpu.Take(target.ServerPid, target.HelperPids["workflow-api"], fleet);
        }
        finally
        {
            pacer.Stop();
        }

        running.Increment(1);
        var (_, expected, result) = await Fleets.DrainAsync(fleet, publisher, settings.Fleet, TimeSpan.FromSeconds(30), cancellationToken);
        var latency = result.Histogram();
        double Ms(long micros) => latency.TotalCount == 0 ? 0 : micros / 1000.0;
        double Delta(string metric, string? labels = null) => gatewayAfter.Value(metric, labels) - gatewayBefore.Value(metric, labels);
        var seconds = Stopwatch.GetElapsedTime(windowStart, windowEnd).TotalSeconds;
        var lifetimes = seconds / settings.LifetimeSeconds;
        var perClientPerLifetime = result.Tokens.Reconnects / (settings.Clients * lifetimes);
        return new TokensFigures
        {
            Clients = settings.Clients,
            WindowSeconds = seconds,
            Lifetimes = lifetimes,
            Reconnects = result.Tokens.Reconnects,
            ExpiryCloses = result.Tokens.ExpiryCloses,
            OtherCloses = result.Tokens.OtherCloses,
            ExpiringNotices = result.Tokens.ExpiringNotices,
            RefreshesSent = result.Tokens.RefreshesSent,
            RefreshesAccepted = result.Tokens.RefreshesAccepted,
            RefreshesRefused = result.Tokens.RefreshesRefused,
            ReconnectsPerClientPerLifetime = perClientPerLifetime,
            DerivedReconnectsPerHour = settings.Clients * (3600 / TokensFigures.DerivedLifetimeSeconds) * perClientPerLifetime,
            GatewayRefreshesAccepted = Delta("vapora_gateway_token_refreshes_total", Accepted),
            GatewayRefreshesRefused = Delta("vapora_gateway_token_refreshes_total", Refused),
            GatewayResumes = Delta("vapora_gateway_resumes_total"),
            GatewayResets = Delta("vapora_gateway_resets_total"),
            GatewayConflated = Delta("vapora_gateway_messages_conflated_total"),
            GatewaySlowConsumersClosed = Delta("vapora_gateway_slow_consumers_closed_total"),
            DeliveredPerSecond = result.ReceivedInWindow / seconds,
            Delivered = result.Delivered,
            Expected = expected,
            Lost = result.Lost,
            LostInGaps = result.LostInGaps,
            Duplicated = result.Duplicated,
            Reordered = result.Reordered,
            Unreadable = result.Unreadable,
            Disconnected = result.Disconnected,
            ClientsNeverReconnected = settings.Clients - result.Resumes.Count,
            P50Ms = Ms(latency.GetValueAtPercentile(50)),
            P99Ms = Ms(latency.GetValueAtPercentile(99)),
            MaxMs = Ms(latency.GetMaxValue()),
            ServerCpuCores = cpuAfter.ServerCores(cpuBefore),
            ApiCpuCores = cpuAfter.ApiCores(cpuBefore),
            HarnessCpuCores = cpuAfter.HarnessCores(cpuBefore),
            MachineCpuCores = cpuAfter.MachineCores(cpuBefore),
            PublishedPerSecond = (sentAtEnd - sentAtStart) / seconds,
            ConnectSeconds = fleet.ConnectTime.TotalSeconds,
            FirstProblem = result.FirstProblem ?? publisher.FirstError,
            FirstGap = result.FirstGap,
        };
    }}
