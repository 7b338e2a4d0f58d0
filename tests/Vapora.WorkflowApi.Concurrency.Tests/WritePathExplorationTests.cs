using System.Diagnostics;
using Microsoft.Coyote;
using Microsoft.Coyote.SystematicTesting;

namespace Vapora.WorkflowApi.Concurrency.Tests;

/// <summary>
/// Systematic concurrency testing of the store's write path with Coyote: each run explores many schedules of
/// <see cref="WritePathScenario"/> on one store (priority-based exploration), from a seed it prints. The scenario is
/// deterministic apart from the schedule, so <c>VAPORA_COYOTE_SEED=&lt;seed&gt;</c> repeats a run exactly, failing
/// schedule included; its steps are written under <c>artifacts/test-logs/coyote</c>. <c>VAPORA_COYOTE_ITERATIONS</c>
/// explores longer.
/// </summary>
public sealed class WritePathExplorationTests
{
    [Fact]
    public void The_write_path_keeps_its_invariants_in_every_explored_schedule_on_the_in_memory_store() => Explore(StoreKind.Memory, 800);

    [Fact]
    public void The_write_path_keeps_its_invariants_in_every_explored_schedule_on_sqlite() => Explore(StoreKind.Sqlite, 250);

    private static void Explore(StoreKind kind, uint iterations)
    {
        var seed = uint.TryParse(Environment.GetEnvironmentVariable("VAPORA_COYOTE_SEED"), out var fixedSeed) ? fixedSeed : (uint)Random.Shared.Next();
        if (uint.TryParse(Environment.GetEnvironmentVariable("VAPORA_COYOTE_ITERATIONS"), out var more))
        {
            iterations = more;
        }

        var configuration = Configuration.Create()
            .WithTestingIterations(iterations)
            .WithRandomGeneratorSeed(seed)
            .WithPrioritizationStrategy(isFair: false, priorityChangeBound: 10)
            .WithMaxSchedulingSteps(20_000)
            .WithDeadlockTimeout(5_000)
            .WithTelemetryEnabled(false)
            .WithConsoleLoggingEnabled(false);
        // One run on real threads first: it loads and compiles everything (SQLite's native library too) outside the
        // schedules' hang detection, and creates the shared instruments outside any schedule.
        WritePathScenario.RunAsync(kind).GetAwaiter().GetResult();
        var watch = Stopwatch.StartNew();
        var engine = TestingEngine.Create(configuration, () => WritePathScenario.RunAsync(kind));
        var schedules = 0;
        engine.RegisterStartIterationCallBack(_ => schedules++);
        engine.Run();
        var report = engine.TestReport;
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"{kind}: {schedules} schedules of seed {seed} in {watch.Elapsed.TotalSeconds:0.0} s, {report.MinExploredUnfairSteps}-{report.MaxExploredUnfairSteps} "
            + $"scheduling steps and {report.MinControlledOperations}-{report.MaxControlledOperations} operations each, {report.NumOfFoundBugs} bugs; "
            + $"not controlled by Coyote: {(report.UncontrolledInvocations.Count == 0 ? "nothing" : string.Join(", ", report.UncontrolledInvocations))}");
        if (report.NumOfFoundBugs == 0)
        {
            return;
        }

        var traces = Directory.CreateDirectory(Path.Combine(RepositoryRoot(), "artifacts", "test-logs", "coyote")).FullName;
        var steps = Path.Combine(traces, $"write-path-{kind}-{seed}.txt");
        File.WriteAllText(steps, engine.ReadableTrace);
        Assert.Fail($"{report.BugReports.First()}\nSchedule {schedules} of seed {seed} ({kind}); its steps: {steps}. Replay: VAPORA_COYOTE_SEED={seed} "
            + $"dotnet test tests/Vapora.WorkflowApi.Concurrency.Tests -c Release --filter \"FullyQualifiedName~{(kind == StoreKind.Memory ? "in_memory" : "sqlite")}\"");
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Vapora.sln")))
            {
                return directory.FullName;
            }
        }

        return Path.GetTempPath();
    }
}
