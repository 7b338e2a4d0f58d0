namespace Vapora.Bench.Scenarios;

/// <summary>Where the storm's clients first connect (<c>--placement</c>).</summary>
internal enum StormPlacement
{
    /// <summary>Each workflow's clients on one gateway: the survivor has never watched the orphans' workflows.</summary>
    Split,

    /// <summary>Through nginx round-robin: every workflow is watched on both gateways.</summary>
    Lb,
}
