using Microsoft.Coyote;
using Microsoft.Coyote.SystematicTesting;

namespace Vapora.RealtimeGateway.Concurrency.Tests;

/// <summary>
/// Systematic concurrency testing of the gateway's topic core with Coyote (issue 23): schedules of the scenario in
/// <see cref="TopicCoreScenario"/>, a new seed every run, each schedule checked against the invariants. A failing schedule is
/// printed with its seed and Coyote's trace, which replays it (see docs/architecture.md, "Concurrency testing").
/// </summary>
public sealed class TopicCoreExplorationTests
{
    /// <summary>
    /// Schedules explored per run: 100 keep the suite within about 40 s on a 2-core machine (Coyote runs each operation on
    /// its own thread, ~0.35 ms per scheduling decision, ~1,000 decisions per schedule here); <c>VAPORA_COYOTE_ITERATIONS</c>
    /// raises it for a longer search.
    /// </summary>
    private static int Iterations => int.TryParse(Environment.GetEnvironmentVariable("VAPORA_COYOTE_ITERATIONS"), out var n) ? n : 100;

    /// <summary>The seed of this run: <c>VAPORA_COYOTE_SEED</c> replays a printed one; otherwise a new one every run.</summary>
    private static uint Seed => uint.TryParse(Environment.GetEnvironmentVariable("VAPORA_COYOTE_SEED"), out var seed) ? seed : (uint)Environment.TickCount;

    [Fact]
    public void Every_explored_schedule_of_attach_resume_publish_repair_leave_and_close_keeps_the_invariants()
    {
        var seed = Seed;
        var configuration = Configuration.Create()
            .WithTestingIterations((uint)Iterations)
            .WithRandomGeneratorSeed(seed)
            // Random choices at every step: the clients poll their queues, and a prioritizing strategy can keep running
            // one that polls while the others wait, which costs steps without exploring anything new.
            .WithRandomStrategy()
            .WithMaxSchedulingSteps(5_000)
            // A schedule that does not end within the bound is a bug too: something waits for ever (a catch-up that
            // never gets room, a repair that never ends).
            .WithFailureOnMaxStepsBoundEnabled(true)
            // Coyote's watch for a hang: generous, so that a machine busy with other work is not taken for a deadlock.
            .WithDeadlockTimeout(10_000)
            .WithTelemetryEnabled(false);
        if (Environment.GetEnvironmentVariable("VAPORA_COYOTE_LOG") is { Length: > 0 })
        {
            configuration = configuration.WithVerbosityEnabled(Microsoft.Coyote.Logging.VerbosityLevel.Info).WithUncontrolledInvocationStackTraceLoggingEnabled(true);
        }
        using var engine = TestingEngine.Create(configuration, TopicCoreScenario.RunAsync);
        using var verbose = Environment.GetEnvironmentVariable("VAPORA_COYOTE_LOG") is { Length: > 0 } path ? new StreamWriter(path) : null;
        if (verbose is not null)
        {
            engine.SetLogger(new Microsoft.Coyote.Logging.TextWriterLogger(verbose, Microsoft.Coyote.Logging.VerbosityLevel.Info));
        }

        engine.Run();
        verbose?.WriteLine(engine.TestReport.GetText(configuration));

        var report = engine.TestReport;
        TestContext.Current.SendDiagnosticMessage($"Coyote: seed {seed}, {report.NumOfExploredFairPaths + report.NumOfExploredUnfairPaths} schedules, {report.NumOfFoundBugs} bugs");
        Assert.True(report.NumOfFoundBugs == 0,
            $"Seed {seed} (replay: VAPORA_COYOTE_SEED={seed}): {string.Join("\n", report.BugReports)}\nTrace:\n{engine.ReproducibleTrace}");
    }
}
