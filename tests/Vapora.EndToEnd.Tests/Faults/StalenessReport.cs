namespace Vapora.EndToEnd.Tests.Faults;

/// <summary>What a <see cref="StalenessRun"/> measured: staleness from PATCH sent to client has it, and the stream's integrity.</summary>
internal sealed record StalenessReport(int Updates, TimeSpan Worst, TimeSpan P99, TimeSpan SlowestPatch, int Lost, int Duplicated, int Reordered)
{
    public override string ToString() =>
        $"{Updates} updates: worst staleness {Worst.TotalSeconds:0.00} s, p99 {P99.TotalSeconds:0.00} s, slowest PATCH {SlowestPatch.TotalSeconds:0.00} s, " +
        $"lost {Lost}, duplicated {Duplicated}, reordered {Reordered}";
}
