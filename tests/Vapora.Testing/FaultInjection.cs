namespace Vapora.Testing;

/// <summary>
/// Settings that load the test-only faults (<c>tests/Vapora.Testing.FaultInjection</c>) into a workflow-api
/// process: the runtime loads the assembly from its path (DOTNET_STARTUP_HOOKS) and ASP.NET Core runs its hosting
/// startup (ASPNETCORE_HOSTINGSTARTUPASSEMBLIES). Without both, <c>Faults:*</c> settings do nothing.
/// </summary>
public static class FaultInjection
{
    private const string Assembly = "Vapora.Testing.FaultInjection";

    /// <summary>The API kills itself after storing an update whose message is <paramref name="message"/>, before publishing it.</summary>
    public static IReadOnlyDictionary<string, string?> CrashBeforePublishWhenMessageIs(string message) => Loaded("Faults__CrashBeforePublishWhenMessageIs", message);

    /// <summary>Every store call of a request that carries <paramref name="header"/> first waits for the milliseconds it names.</summary>
    public static IReadOnlyDictionary<string, string?> StoreDelayHeader(string header) => Loaded("Faults__StoreDelayHeader", header);

    private static Dictionary<string, string?> Loaded(string key, string value) => new()
    {
        ["DOTNET_STARTUP_HOOKS"] = RepositoryPaths.TestAssembly(Assembly),
        ["ASPNETCORE_HOSTINGSTARTUPASSEMBLIES"] = Assembly,
        [key] = value,
    };
}
