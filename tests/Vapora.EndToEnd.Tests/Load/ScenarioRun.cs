using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using Vapora.Contracts;
using Vapora.Testing;

namespace Vapora.EndToEnd.Tests.Load;

/// <summary>
/// Clients watch workflows through the balancer while producers post updates; a fault is injected mid-stream;
/// at the end every client's frames are checked against the API's final versions.
/// </summary>
internal sealed class ScenarioRun(VaporaSystem system, ScenarioShape shape)
{
    private readonly List<WatchingClient> _clients = [];
    private readonly List<Producer> _producers = [];

    public IReadOnlyList<WatchingClient> Clients => _clients;

    public IReadOnlyList<Producer> Producers => _producers;

    public VaporaSystem System => system;

    private long _clockStart;

    /// <summary>Notes about clients that did not converge.</summary>
    public List<string> Diagnostics { get; } = [];

    /// <summary>Starts the convergence clock now instead of at the fault's start (for faults that include a planned absence).</summary>
    public void RestartClock() => _clockStart = Stopwatch.GetTimestamp();

    public async Task<ScenarioReport> RunAsync(string name, Func<ScenarioRun, Task> fault)
    {
        using var stop = new CancellationTokenSource();
        for (var w = 0; w < shape.Workflows; w++)
        {
            using var response = await system.Balancer.PostAsJsonAsync("api/workflows",
                new CreateWorkflowRequest { Name = $"{name} {w}", TotalSteps = shape.UpdatesPerWorkflow }, VaporaJsonContext.Default.CreateWorkflowRequest);
            response.EnsureSuccessStatusCode();
            var state = (await response.Content.ReadFromJsonAsync(VaporaJsonContext.Default.WorkflowState))!;
            _producers.Add(new Producer(state.WorkflowId, system.Balancer, shape.UpdatesPerWorkflow, shape.Interval));
            var pinned = shape.FirstConnectionTo?.Invoke(w, system);
            for (var c = 0; c < shape.ClientsPerWorkflow; c++)
            {
                // Every connection goes through the balancer, except a pinned client's first one (straight to its gateway).
                var first = pinned;
                _clients.Add(new WatchingClient(state.WorkflowId, after =>
                {
                    var path = $"/api/workflows/{state.WorkflowId}/updates" + (after > 0 ? $"?after={after}" : "");
                    var gateway = Interlocked.Exchange(ref first, null);
                    return gateway?.WebSocketUrl(path) ?? system.Nginx.WebSocketUrl(path);
                }));
            }
        }

        var clientTasks = _clients.Select(c => Task.Run(() => c.RunAsync(stop.Token))).ToList();
        await Poll.UntilAsync(() => _clients.All(c => c.Last >= 1), TimeSpan.FromSeconds(60), "every client to receive the first state");

        var producerTasks = _producers.Select(p => Task.Run(() => p.RunAsync(stop.Token))).ToList();
        var total = shape.Workflows * shape.UpdatesPerWorkflow;
        await Poll.UntilAsync(() => _producers.Sum(p => p.Posted) >= total * shape.FaultAt, TimeSpan.FromSeconds(120), "the stream to be under way");

        // Convergence: from the fault's start until a client holds what was acknowledged once the fault was over.
        _clockStart = Stopwatch.GetTimestamp();
        await fault(this);
        foreach (var producer in _producers)
        {
            var target = producer.Acknowledged;
            foreach (var client in _clients.Where(c => c.WorkflowId == producer.WorkflowId))
            {
                client.SetTarget(target, _clockStart);
            }
        }

        await Task.WhenAll(producerTasks).WaitAsync(TimeSpan.FromMinutes(3));

        var finals = new Dictionary<string, long>();
        foreach (var producer in _producers)
        {
            var state = await system.Api.Http.GetFromJsonAsync($"api/workflows/{producer.WorkflowId}", VaporaJsonContext.Default.WorkflowState);
            finals[producer.WorkflowId] = state!.Version;
        }

        var converged = true;
        try
        {
            await Poll.UntilAsync(() => _clients.All(c => c.Last >= finals[c.WorkflowId]), TimeSpan.FromSeconds(90), "every client to reach its workflow's final version");
        }
        catch (TimeoutException)
        {
            converged = false;
            foreach (var client in _clients.Where(c => c.Last < finals[c.WorkflowId]).Take(5))
            {
                Diagnostics.Add($"{client.WorkflowId} last {client.Last}/{finals[client.WorkflowId]} reconnects {client.Reconnects} socket {client.SocketState} closes [{string.Join(",", client.CloseCodes)}] error {client.LastError}");
            }
        }

        await stop.CancelAsync();
        await Task.WhenAll(clientTasks);
        var report = ScenarioReport.From(name, _clients, _producers, finals, converged);
        return Diagnostics.Count == 0 ? report : report with { FirstProblem = report.FirstProblem + Environment.NewLine + string.Join(Environment.NewLine, Diagnostics) };
    }
}

/// <summary>
/// How big a scenario is. <paramref name="FirstConnectionTo"/> pins the first connection of workflow w's clients to one
/// gateway (null: through the balancer); reconnects always go through the balancer.
/// </summary>
internal sealed record ScenarioShape(int Workflows, int ClientsPerWorkflow, int UpdatesPerWorkflow, TimeSpan Interval, double FaultAt = 0.3,
    Func<int, VaporaSystem, ServiceProcess>? FirstConnectionTo = null)
{
    /// <summary>The issue's minimum: 200 clients over 20 workflows, 5,000 updates.</summary>
    public static ScenarioShape Standard(TimeSpan? interval = null) => new(20, 10, 250, interval ?? TimeSpan.FromMilliseconds(20));
}

/// <summary>What every client got, checked against the API's final versions.</summary>
internal sealed record ScenarioReport(
    string Name, int Clients, int Workflows, int Updates, long Lost, long Duplicated, long Reordered,
    int ClientsReconnected, int ProducerRetries, double ConvergedMedianMs, double ConvergedMaxMs,
    double ResumedMedianMs, double ResumedMaxMs, bool Converged, string? FirstProblem)
{
    public static ScenarioReport From(string name, IReadOnlyList<WatchingClient> clients, IReadOnlyList<Producer> producers,
        IReadOnlyDictionary<string, long> finals, bool converged)
    {
        long lost = 0, duplicated = 0, reordered = 0;
        string? problem = null;
        foreach (var client in clients)
        {
            var received = client.Received;
            var seen = new HashSet<long>();
            long max = 0;
            foreach (var version in received)
            {
                if (!seen.Add(version))
                {
                    duplicated++;
                    problem ??= $"{client.WorkflowId}: version {version} received twice";
                }
                else if (version < max)
                {
                    reordered++;
                    problem ??= $"{client.WorkflowId}: version {version} after {max}";
                }

                max = Math.Max(max, version);
            }

            var first = received.Count > 0 ? received[0] : 1;
            for (var v = first; v <= finals[client.WorkflowId]; v++)
            {
                if (!seen.Contains(v))
                {
                    lost++;
                    problem ??= $"{client.WorkflowId}: version {v} never received (final {finals[client.WorkflowId]})";
                }
            }
        }

        var times = clients.Select(c => c.ConvergedAfter?.TotalMilliseconds ?? double.PositiveInfinity).Order().ToList();
        var resumes = clients.SelectMany(c => c.ResumeTimes).Select(t => t.TotalMilliseconds).Order().ToList();
        return new ScenarioReport(name, clients.Count, finals.Count, producers.Sum(p => p.Posted), lost, duplicated, reordered,
            clients.Count(c => c.Reconnects > 0), producers.Sum(p => p.Retries),
            times[times.Count / 2], times[^1],
            resumes.Count == 0 ? 0 : resumes[resumes.Count / 2], resumes.Count == 0 ? 0 : resumes[^1],
            converged, problem);
    }

    public string ToMarkdownRow() => string.Create(CultureInfo.InvariantCulture,
        $"| {Name} | {Clients} | {Workflows} | {Updates} | {Lost} | {Duplicated} | {Reordered} | {ClientsReconnected} | {ResumedMedianMs:0} / {ResumedMaxMs:0} | {ConvergedMedianMs:0} / {ConvergedMaxMs:0} |");

    public const string MarkdownHeader = "| scenario | clients | workflows | updates | lost | duplicated | reordered | clients reconnected | disconnect → first frame again, median / max (ms) | fault start → caught up, median / max (ms) |\n|---|---|---|---|---|---|---|---|---|---|";

    /// <summary>
    /// Saves and prints the report, then checks the guarantee: every client reached its workflow's final version with
    /// every version once, in order, over at least 200 clients and 5,000 updates.
    /// </summary>
    public void AssertNoLoss(ITestOutputHelper output)
    {
        output.WriteLine(Save());
        output.WriteLine($"producer retries: {ProducerRetries}");
        Assert.True(Converged, "not every client reached its workflow's final version: " + FirstProblem);
        Assert.True(Lost == 0 && Duplicated == 0 && Reordered == 0,
            $"lost {Lost}, duplicated {Duplicated}, reordered {Reordered}; first: {FirstProblem}");
        Assert.True(Updates >= 5000, $"only {Updates} updates were posted");
        Assert.True(Clients >= 200);
    }

    /// <summary>Appends this report to artifacts/e2e-results.md (kept by CI) and returns the text.</summary>
    public string Save()
    {
        var path = Path.Combine(RepositoryPaths.Root, "artifacts", "e2e-results.md");
        var text = new StringBuilder();
        if (!File.Exists(path))
        {
            text.AppendLine(MarkdownHeader);
        }

        text.AppendLine(ToMarkdownRow());
        File.AppendAllText(path, text.ToString());
        return MarkdownHeader + Environment.NewLine + ToMarkdownRow();
    }
}
