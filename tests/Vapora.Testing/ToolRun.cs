using System.Diagnostics;

namespace Vapora.Testing;

/// <summary>Runs a command-line tool (promtool, docker-compose, node) to the end and returns its exit code and output.</summary>
public static class ToolRun
{
    public static async Task<(int ExitCode, string Output)> RunAsync(string file, IEnumerable<string> arguments,
        string? workingDirectory = null, TimeSpan? timeout = null)
    {
        var (exitCode, output, error) = await RunAsync(file, arguments, workingDirectory, timeout, environment: null);
        return (exitCode, output + error);
    }

    /// <summary>Like the other overload, with standard output and standard error apart (output to parse, warnings beside it).</summary>
    /// <param name="environment">Variables to set (or, with a null value, remove) on top of the test's environment.</param>
    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(string file, IEnumerable<string> arguments,
        string? workingDirectory, TimeSpan? timeout, IReadOnlyDictionary<string, string?>? environment)
    {
        var info = new ProcessStartInfo(file)
        {
            WorkingDirectory = workingDirectory ?? RepositoryPaths.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            info.Environment[key] = value;
        }

        Process process;
        try
        {
            process = Process.Start(info)!;
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException($"{file} is not installed ({ex.Message}); ./scripts/test.sh installs what the tests need.", ex);
        }

        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var deadline = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
            try
            {
                await process.WaitForExitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"{file} {string.Join(' ', arguments)} did not finish within {(timeout ?? TimeSpan.FromSeconds(60)).TotalSeconds:0} s.");
            }

            return (process.ExitCode, await stdout, await stderr);
        }
    }
}
