namespace Vapora.Bench.Cli;

/// <summary>How clients reach the server.</summary>
internal enum Via
{
    Direct,

    /// <summary>Through nginx, configured as deploy/nginx (vapora only).</summary>
    Lb,
}
