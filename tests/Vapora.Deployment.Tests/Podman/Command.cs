using System.Diagnostics;
using Vapora.Testing;

namespace Vapora.Deployment.Tests.Podman;

/// <summary>Runs a command to its end with a deadline; every run is logged to artifacts/test-logs/commands.log.</summary>
public static class Command
{
    private static readonly Lock LogLock = new();
    private static readonly string LogPath = Path.Combine(RepositoryPaths.TestLogs, "deployment-commands.log");

    public static async Task<CommandResult> RunAsync(string file, IEnumerable<string> arguments, TimeSpan timeout,
        IReadOnlyDictionary<string, string?>? environment = null, string? workingDirectory = null, string? input = null)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = input is not null,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? RepositoryPaths.Root,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            info.Environment[key] = value;
        }

        var started = Stopwatch.StartNew();
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {file}.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (input is not null)
        {
            await process.StandardInput.WriteAsync(input);
            process.StandardInput.Close();
        }

        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            throw new TimeoutException($"{Describe(file, info.ArgumentList)} did not finish within {timeout.TotalSeconds:0} s:{Environment.NewLine}{await output}{await error}");
        }

        var result = new CommandResult(process.ExitCode, await output, await error);
        lock (LogLock)
        {
            File.AppendAllText(LogPath, $"{DateTime.UtcNow:HH:mm:ss.fff} [{started.ElapsedMilliseconds} ms, exit {result.ExitCode}] {Describe(file, info.ArgumentList)}{Environment.NewLine}"
                + (result.Succeeded ? string.Empty : result.Output + result.Error + Environment.NewLine));
        }

        return result;
    }

    /// <summary>Like <see cref="RunAsync"/>, and fails with the command's output unless it exits 0.</summary>
    public static async Task<string> CheckAsync(string file, IEnumerable<string> arguments, TimeSpan timeout,
        IReadOnlyDictionary<string, string?>? environment = null, string? input = null)
    {
        var list = arguments.ToList();
        var result = await RunAsync(file, list, timeout, environment, input: input);
        return result.Succeeded
            ? result.Output
            : throw new InvalidOperationException($"{Describe(file, list)} exited with {result.ExitCode}:{Environment.NewLine}{result.Output}{result.Error}");
    }

    private static string Describe(string file, IEnumerable<string> arguments) =>
        string.Join(' ', arguments.Select(a => a.Contains(' ', StringComparison.Ordinal) ? $"'{a}'" : a).Prepend(file));
}
