namespace Vapora.Bench.Cli;

/// <summary>The garbage collector the server under test runs with (<c>--gc</c>).</summary>
internal enum GcMode
{
    /// <summary>Workstation GC (<c>DOTNET_gcServer=0</c>): what Vapora's containers ship.</summary>
    Workstation,

    /// <summary>Server GC: ASP.NET Core's default, as SignalR and bare Kestrel users run them.</summary>
    Server,
}
