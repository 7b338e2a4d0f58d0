namespace Vapora.Testing;

/// <summary>Where the repository and the built services are, seen from a test's output folder.</summary>
public static class RepositoryPaths
{
    /// <summary>The folder holding Vapora.sln.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>Build configuration of the running tests (Debug or Release), taken from the output path.</summary>
    public static string Configuration { get; } =
        AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";

    /// <summary>Folder for logs of processes the tests start (kept by CI as an artifact).</summary>
    public static string TestLogs { get; } = Directory.CreateDirectory(Path.Combine(Root, "artifacts", "test-logs")).FullName;

    /// <summary>The built DLL of a service under <c>services/</c>.</summary>
    public static string ServiceDll(string folder, string assembly)
    {
        var path = Path.Combine(Root, "services", folder, "bin", Configuration, "net10.0", assembly + ".dll");
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path} is not built. Build the solution (dotnet build Vapora.sln) before running the tests.", path);
        }

        return path;
    }

    /// <summary>The built DLL of a helper project under <c>tests/</c> (one the test projects build, not a test project).</summary>
    public static string TestAssembly(string project)
    {
        var path = Path.Combine(Root, "tests", project, "bin", Configuration, "net10.0", project + ".dll");
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path} is not built. Build the solution (dotnet build Vapora.sln) before running the tests.", path);
        }

        return path;
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Vapora.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Vapora.sln not found above " + AppContext.BaseDirectory);
    }
}
