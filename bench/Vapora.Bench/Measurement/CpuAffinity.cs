using System.Diagnostics;
using System.Globalization;

namespace Vapora.Bench.Measurement;

/// <summary>
/// <c>--cpus split</c>: the server alone on the last CPU, the harness and the helper processes on the others, so the
/// harness's own work (thousands of clients) does not take the server's CPU. Uses taskset on every thread of a process.
/// </summary>
internal static class CpuAffinity
{
    /// <summary>The CPU the server gets.</summary>
    public static int ServerCpu => Environment.ProcessorCount - 1;

    /// <summary>CPUs for everything else, as a taskset list ("0" on a 2-core machine).</summary>
    public static string OtherCpus => Environment.ProcessorCount == 2 ? "0" : $"0-{Environment.ProcessorCount - 2}";

    public static void PinServer(int pid) => Pin(pid, ServerCpu.ToString(CultureInfo.InvariantCulture));

    public static void PinOther(int pid) => Pin(pid, OtherCpus);

    private static void Pin(int pid, string cpus)
    {
        // -a: all threads now; threads started later inherit from the thread that starts them.
        using var taskset = Process.Start(new ProcessStartInfo("taskset", ["-a", "-p", "-c", cpus, pid.ToString(CultureInfo.InvariantCulture)])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        }) ?? throw new InvalidOperationException("Could not start taskset.");
        var error = taskset.StandardError.ReadToEnd();
        taskset.StandardOutput.ReadToEnd();
        taskset.WaitForExit();
        if (taskset.ExitCode != 0)
        {
            throw new InvalidOperationException($"taskset could not pin process {pid} to CPU {cpus}: {error.Trim()}");
        }
    }
}
