using BenchmarkDotNet.Running;

namespace Vapora.Bench.Micro;

/// <summary>
/// Micro-benchmarks of the gateway's hot path. Run in Release:
/// <c>dotnet run -c Release --project bench/Vapora.Bench.Micro -- --filter '*'</c> (add <c>--job short</c> on a busy machine).
/// </summary>
internal static class Program
{
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
