using System.IO.Compression;
using System.Xml.Linq;
using Vapora.Testing;

namespace Vapora.Client.Tests;

/// <summary><c>dotnet pack</c> makes the client (and the contracts it depends on) into NuGet packages a user can install.</summary>
public sealed class PackageTests
{
    [Fact]
    public async Task Dotnet_pack_makes_the_client_a_package_with_its_metadata_readme_xml_docs_symbols_and_its_dependency()
    {
        var output = Directory.CreateTempSubdirectory("vapora-pack-").FullName;
        try
        {
            foreach (var project in new[] { "libs/client/Vapora.Client.csproj", "libs/contracts/Vapora.Contracts.csproj" })
            {
                var (exitCode, log) = await ToolRun.RunAsync("dotnet",
                    ["pack", project, "-c", RepositoryPaths.Configuration, "--no-build", "-o", output, "--nologo"], timeout: TimeSpan.FromMinutes(3));
                Assert.True(exitCode == 0, log);
            }

            using var package = ZipFile.OpenRead(Path.Combine(output, "Vapora.Client.0.1.0.nupkg"));
            var files = package.Entries.Select(e => e.FullName).ToHashSet();
            Assert.Superset(new HashSet<string> { "README.md", "lib/net10.0/Vapora.Client.dll", "lib/net10.0/Vapora.Client.xml" }, files);

            XNamespace ns = "http://schemas.microsoft.com/packaging/2013/05/nuspec.xsd";
            XElement metadata;
            using (var nuspec = package.GetEntry("Vapora.Client.nuspec")!.Open())
            {
                metadata = XDocument.Load(nuspec).Root!.Element(ns + "metadata")!;
            }

            Assert.Equal("Vapora.Client", metadata.Element(ns + "id")!.Value);
            Assert.Equal("0.1.0", metadata.Element(ns + "version")!.Value);
            Assert.Contains("Server-Sent Events", metadata.Element(ns + "description")!.Value, StringComparison.Ordinal);
            Assert.Equal("README.md", metadata.Element(ns + "readme")!.Value);
            Assert.Equal("expression", metadata.Element(ns + "license")!.Attribute("type")!.Value);
            Assert.False(string.IsNullOrWhiteSpace(metadata.Element(ns + "license")!.Value));
            var dependency = Assert.Single(metadata.Descendants(ns + "dependency"));
            Assert.Equal(("Vapora.Contracts", "0.1.0"), (dependency.Attribute("id")!.Value, dependency.Attribute("version")!.Value));

            using (var readme = new StreamReader(package.GetEntry("README.md")!.Open()))
            {
                Assert.Contains("WorkflowStreamClient", await readme.ReadToEndAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
            }

            using (var docs = package.GetEntry("lib/net10.0/Vapora.Client.xml")!.Open())
            {
                var members = XDocument.Load(docs).Descendants("member").Select(m => m.Attribute("name")!.Value).ToList();
                Assert.Contains("T:Vapora.Client.WorkflowStreamClient", members);
                Assert.Contains("P:Vapora.Client.WorkflowClientOptions.Transports", members);
            }

            using var symbols = ZipFile.OpenRead(Path.Combine(output, "Vapora.Client.0.1.0.snupkg"));
            Assert.Contains("lib/net10.0/Vapora.Client.pdb", symbols.Entries.Select(e => e.FullName));
            Assert.True(File.Exists(Path.Combine(output, "Vapora.Contracts.0.1.0.nupkg")), "the dependency is a package too");
        }
        finally
        {
            Directory.Delete(output, recursive: true);
        }
    }
}
