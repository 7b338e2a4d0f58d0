// The runtime calls StartupHook.Initialize in each assembly named by DOTNET_STARTUP_HOOKS, after loading it from its
// path into the default load context. Nothing to do here: being loaded is what lets ASP.NET Core find this assembly
// by name when ASPNETCORE_HOSTINGSTARTUPASSEMBLIES names it (it is in no deps.json).
#pragma warning disable CA1812 // Instantiated by the runtime.
internal static class StartupHook
{
    public static void Initialize()
    {
    }
}
