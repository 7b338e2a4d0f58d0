using Vapora.Bench.Clients;

namespace Vapora.Bench.Measurement;

/// <summary>
/// CPU samples at one edge of a measured window: the server, workflow-api, every harness process (this one and its
/// workers) and the whole machine. Two give the cores each used in between.
/// </summary>
internal sealed record WindowCpu(ProcessSample Server, ProcessSample Api, ProcessSample[] Harness, MachineCpuSample Machine)
{
    public static WindowCpu Take(int serverPid, int apiPid, IFleet fleet) => new(
        ProcessSample.Take(serverPid),
        ProcessSample.Take(apiPid),
        [.. new[] { Environment.ProcessId }.Concat(fleet.ProcessIds).Select(pid => ProcessSample.Take(pid))],
        MachineCpuSample.Take());

    public double ServerCores(WindowCpu before) => Server.CoresSince(before.Server);

    public double ApiCores(WindowCpu before) => Api.CoresSince(before.Api);

    public double HarnessCores(WindowCpu before) => Harness.Zip(before.Harness, (after, earlier) => after.CoresSince(earlier)).Sum();

    public double MachineCores(WindowCpu before) => Machine.CoresSince(before.Machine);
}
