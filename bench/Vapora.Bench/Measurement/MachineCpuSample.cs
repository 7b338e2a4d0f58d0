using System.Diagnostics;
using System.Globalization;

namespace Vapora.Bench.Measurement;

/// <summary>
/// Busy and total CPU time of the whole machine (first line of /proc/stat). Two samples give how many cores were busy
/// with anything, including work that is not part of the run: on a shared machine that is the noise to know about.
/// </summary>
internal readonly record struct MachineCpuSample(long BusyTicks, long TakenAt)
{
    private const double ClockTicksPerSecond = 100;

    public static MachineCpuSample Take()
    {
        // "cpu  user nice system idle iowait irq softirq steal guest guest_nice"; idle and iowait are not busy.
        var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries)[1..]
            .Select(f => long.Parse(f, CultureInfo.InvariantCulture)).ToArray();
        var busy = fields.Take(8).Sum() - fields[3] - fields[4];
        return new MachineCpuSample(busy, Stopwatch.GetTimestamp());
    }

    public double CoresSince(MachineCpuSample earlier)
    {
        var seconds = Stopwatch.GetElapsedTime(earlier.TakenAt, TakenAt).TotalSeconds;
        return seconds <= 0 ? 0 : (BusyTicks - earlier.BusyTicks) / ClockTicksPerSecond / seconds;
    }
}
