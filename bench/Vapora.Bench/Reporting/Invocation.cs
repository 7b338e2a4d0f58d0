namespace Vapora.Bench.Reporting;

/// <summary>
/// How a result was produced: the command that reproduces it (<see cref="CommandLine"/>), the process's own command
/// line as it was started, when, and on what machine (load included: the machine may be shared).
/// </summary>
internal sealed record Invocation(string CommandLine, IReadOnlyList<string> Arguments, string ProcessCommandLine, DateTimeOffset StartedUtc, MachineInfo Machine)
{
    public static Invocation Capture(string command, IReadOnlyList<string> options) => new(
        $"dotnet run -c Release --project bench/Vapora.Bench -- {command} " + string.Join(' ', options.Select(Quote)),
        [command, .. options],
        string.Join(' ', Environment.GetCommandLineArgs().Select(Quote)),
        DateTimeOffset.UtcNow,
        MachineInfo.Capture());

    private static string Quote(string arg) => arg.Length > 0 && !arg.Any(char.IsWhiteSpace) && !arg.Contains('"', StringComparison.Ordinal) ? arg : $"\"{arg.Replace("\"", "\\\"", StringComparison.Ordinal)}\"";
}
