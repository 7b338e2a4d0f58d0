namespace Vapora.Bench.Cli;

/// <summary>Where updates enter the system.</summary>
internal enum Source
{
    /// <summary>PUBLISH straight into Redis (SignalR: through the backplane; ceiling: its control socket).</summary>
    Redis,

    /// <summary>PATCH /api/workflows/{id} on workflow-api (vapora only).</summary>
    Rest,
}
