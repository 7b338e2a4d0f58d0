using System.Diagnostics;
using System.Globalization;

namespace Vapora.Bench.Measurement;

/// <summary>
/// CPU time and memory of a process read from /proc at one moment (with <c>includeChildren</c>, summed with its direct
/// children: nginx's workers). Two samples give the cores used in between.
/// </summary>
internal readonly record struct ProcessSample(long CpuTicks, long RssKiB, long PeakRssKiB, long TakenAt)
{
    // USER_HZ: the unit of utime/stime in /proc/<pid>/stat; 100 on every Linux this runs on.
    private const double ClockTicksPerSecond = 100;

    public static ProcessSample Take(int pid, bool includeChildren = false)
    {
        var taken = Stopwatch.GetTimestamp();
        long cpu = 0, rss = 0, peak = 0;
        foreach (var member in includeChildren ? WithChildren(pid) : [pid])
        {
            cpu += CpuTicksOf(member);
            var (memberRss, memberPeak) = MemoryOf(member);
            rss += memberRss;
            peak += memberPeak;
        }

        return new ProcessSample(cpu, rss, peak, taken);
    }

    /// <summary>Cores busy on average between <paramref name="earlier"/> and this sample.</summary>
    public double CoresSince(ProcessSample earlier)
    {
        var seconds = Stopwatch.GetElapsedTime(earlier.TakenAt, TakenAt).TotalSeconds;
        return seconds <= 0 ? 0 : (CpuTicks - earlier.CpuTicks) / ClockTicksPerSecond / seconds;
    }

    private static IEnumerable<int> WithChildren(int pid) => [pid, .. ChildrenOf(pid)];

    private static List<int> ChildrenOf(int pid)
    {
        var children = new List<int>();
        try
        {
            foreach (var task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
            {
                var text = File.ReadAllText(Path.Combine(task, "children"));
                foreach (var id in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                {
                    children.Add(int.Parse(id, CultureInfo.InvariantCulture));
                }
            }
        }
        catch (IOException)
        {
            // The process (or a thread) ended while we looked.
        }
        catch (UnauthorizedAccessException)
        {
        }

        return children;
    }

    private static long CpuTicksOf(int pid)
    {
        try
        {
            // The command name in field 2 may hold spaces or parentheses: count fields after the last ')'.
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            // fields[0] is field 3 (state); utime and stime are fields 14 and 15.
            return long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return 0;
        }
    }

    private static (long Rss, long Peak) MemoryOf(int pid)
    {
        long rss = 0, peak = 0;
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    rss = KiB(line);
                }
                else if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                {
                    peak = KiB(line);
                }
            }
        }
        catch (IOException)
        {
        }

        return (rss, peak);
    }

    // "VmRSS:	   12345 kB"
    private static long KiB(string line) =>
        long.Parse(line.AsSpan(line.IndexOf(':') + 1).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture);
}
