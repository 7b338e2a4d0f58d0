using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using Vapora.Contracts.WebSockets;
using Vapora.Testing;

namespace Vapora.EndToEnd.Tests.Faults;

/// <summary>
/// A small live load for fault tests: a few workflows, each PATCHed every <c>period</c> through REST and watched by
/// one WebSocket client on the gateway under test. It records when each version was sent to the API and when its
/// client got it, so a run yields the worst staleness (PATCH sent → client has it), the slowest PATCH, and every
/// version lost, duplicated or out of order.
/// </summary>
internal sealed class StalenessRun : IAsyncDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly List<Watched> _watched = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _producers = [];
    private readonly List<Task> _readers = [];
    private TimeSpan _slowestPatch;

    private StalenessRun()
    {
    }

    public static async Task<StalenessRun> StartAsync(WorkflowApiClient api, ServiceProcess gateway, int workflows, TimeSpan period)
    {
        var run = new StalenessRun();
        for (var i = 0; i < workflows; i++)
        {
            var created = await api.CreateAsync($"fault run {i}", totalSteps: 100_000);
            var socket = await TestSocket.ConnectAsync(gateway.WebSocketUrl($"/api/workflows/{created.WorkflowId}/updates"));
            var watched = new Watched(created.WorkflowId, socket, created.Version);
            Assert.Equal(created.Version, Version(await socket.NextAsync()));
            run._watched.Add(watched);
        }

        foreach (var watched in run._watched)
        {
            run._producers.Add(run.ProduceAsync(api, watched, period));
            run._readers.Add(run.ReadAsync(watched));
        }

        return run;
    }

    /// <summary>Stops producing, waits until every client has the last stored version, and reports.</summary>
    public async Task<StalenessReport> StopAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_producers).WaitAsync(Deadline);
        await Poll.UntilAsync(() => _watched.All(w => w.LastReceived >= w.LastSent), Deadline,
            "every client to have the last version stored");
        var ages = new List<TimeSpan>();
        int lost = 0, duplicated = 0, reordered = 0;
        foreach (var watched in _watched)
        {
            var received = watched.Received.ToArray();
            duplicated += received.Length - received.Select(r => r.Version).Distinct().Count();
            reordered += received.Zip(received.Skip(1)).Count(p => p.Second.Version <= p.First.Version);
            var at = received.GroupBy(r => r.Version).ToDictionary(g => g.Key, g => g.Min(r => r.At));
            foreach (var (version, sent) in watched.Sent)
            {
                if (at.TryGetValue(version, out var got))
                {
                    ages.Add(got - sent);
                }
                else
                {
                    lost++;
                }
            }
        }

        ages.Sort();
        return new StalenessReport(ages.Count, ages[^1], ages[(int)Math.Min(ages.Count - 1, Math.Ceiling(ages.Count * 0.99) - 1)],
            _slowestPatch, lost, duplicated, reordered);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        foreach (var watched in _watched)
        {
            await watched.Socket.DisposeAsync();
        }

        await Task.WhenAll([.. _producers, .. _readers]).WaitAsync(Deadline).ContinueWith(_ => { }, TaskScheduler.Default);
        _stop.Dispose();
    }

    private static long Version(string frame) =>
        UpdateFrameReader.TryReadVersion(Encoding.UTF8.GetBytes(frame), out var version)
            ? version
            : throw new InvalidDataException("Expected an update frame, got: " + frame);

    private async Task ProduceAsync(WorkflowApiClient api, Watched watched, TimeSpan period)
    {
        var step = 0;
        while (!_stop.IsCancellationRequested)
        {
            var sent = _clock.Elapsed;
            var state = await api.ProgressAsync(watched.WorkflowId, ++step, $"step {step}");
            var took = _clock.Elapsed - sent;
            lock (_watched)
            {
                _slowestPatch = took > _slowestPatch ? took : _slowestPatch;
            }

            watched.Sent[state.Version] = sent;
            watched.LastSent = state.Version;
            var left = period - took;
            if (left > TimeSpan.Zero)
            {
                await Task.Delay(left, CancellationToken.None);
            }
        }
    }

    private async Task ReadAsync(Watched watched)
    {
        while (true)
        {
            string frame;
            try
            {
                frame = await watched.Socket.NextAsync(TimeSpan.FromMinutes(2));
            }
            catch (Exception ex) when (ex is TimeoutException or InvalidOperationException)
            {
                return;
            }

            var version = Version(frame);
            watched.Received.Enqueue((version, _clock.Elapsed));
            watched.LastReceived = Math.Max(watched.LastReceived, version);
        }
    }

    private sealed class Watched(string workflowId, TestSocket socket, long first)
    {
        public string WorkflowId { get; } = workflowId;

        public TestSocket Socket { get; } = socket;

        public ConcurrentDictionary<long, TimeSpan> Sent { get; } = new();

        public ConcurrentQueue<(long Version, TimeSpan At)> Received { get; } = new();

        public long LastSent { get; set; } = first;

        public long LastReceived { get; set; } = first;
    }
}
