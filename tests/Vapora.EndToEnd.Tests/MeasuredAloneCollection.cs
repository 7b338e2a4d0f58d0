namespace Vapora.EndToEnd.Tests;

/// <summary>
/// Tests that assert a latency tail: they run after the others, one at a time, so a neighbour's thousand clients on the
/// same two cores are not what they measure.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MeasuredAloneCollection
{
    public const string Name = "measured alone";
}
