namespace Vapora.Bench.Cli;

/// <summary>How the server shares the machine's CPUs with the harness.</summary>
internal enum Cpus
{
    /// <summary>Everything runs anywhere (as a deployment would, with the harness competing for CPU).</summary>
    Shared,

    /// <summary>The server alone on the last CPU (and told it has one); harness and helpers on the others.</summary>
    Split,
}
