using System.Globalization;
using System.Runtime.InteropServices;

namespace Vapora.Bench.Reporting;

/// <summary>The machine a result came from; the load average tells whether other work shared it.</summary>
internal sealed record MachineInfo(int Processors, string Os, string Runtime, string LoadAverage)
{
    public static MachineInfo Capture() => new(
        Environment.ProcessorCount,
        RuntimeInformation.OSDescription,
        RuntimeInformation.FrameworkDescription,
        File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : string.Empty);

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Processors} cores, {Os}, {Runtime}, load {LoadAverage}");
}
