using System.Diagnostics;
using Vapora.Testing;

namespace Vapora.Deployment.Tests.Podman;

/// <summary><see cref="ToolRun"/> with every run noted in artifacts/test-logs/deployment-commands.log (what ran, how long, how it ended).</summary>
public static class Command
{
    private static readonly Lock LogLock = new();
    private static readonly string LogPath = Path.Combine(RepositoryPaths.TestLogs, "deployment-commands.log");

    public static async Task<CommandResult> RunAsync(string file, IEnumerable<string> arguments, TimeSpan timeout,
        IReadOnlyDictionary<string, string?>? environment = null, string? workingDirectory = null)
    {
        var list = arguments.ToList();
        var started = Stopwatch.StartNew();
        var (exitCode, output, error) = await ToolRun.RunAsync(file, list, workingDirectory, timeout, environment);
        var result = new CommandResult(exitCode, output, error);
        lock (LogLock)
        {
            File.AppendAllText(LogPath, $"{DateTime.UtcNow:HH:mm:ss.fff} [{started.ElapsedMilliseconds} ms, exit {exitCode}] {Describe(file, list)}{Environment.NewLine}"
                + (result.Succeeded ? string.Empty : output + error + Environment.NewLine));
        }

        return result;
    }

    /// <summary>Like <see cref="RunAsync"/>, and fails with the command's output unless it exits 0.</summary>
    public static async Task<string> CheckAsync(string file, IEnumerable<string> arguments, TimeSpan timeout, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var list = arguments.ToList();
        var result = await RunAsync(file, list, timeout, environment);
        return result.Succeeded
            ? result.Output
            : throw new InvalidOperationException($"{Describe(file, list)} exited with {result.ExitCode}:{Environment.NewLine}{result.Output}{result.Error}");
    }

    private static string Describe(string file, IEnumerable<string> arguments) =>
        string.Join(' ', arguments.Select(a => a.Contains(' ', StringComparison.Ordinal) ? $"'{a}'" : a).Prepend(file));
}
