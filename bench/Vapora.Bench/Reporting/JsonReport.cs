using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Vapora.Testing;

namespace Vapora.Bench.Reporting;

/// <summary>Writes a result as indented snake_case JSON (the repository's wire convention).</summary>
internal static class JsonReport
{
    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        // Readable by people: "+" and "→" as they are, not \u escapes (the file is never embedded in HTML).
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        // Enum values as the command line spells them: "signalr", not "signal_r".
        Converters = { new JsonStringEnumConverter(new OptionNamingPolicy()) },
    };

    /// <summary>
    /// The --out path, or <c>artifacts/bench/&lt;command&gt;-&lt;target&gt;-&lt;UTC time&gt;.json</c> in the repository.
    /// </summary>
    public static string PathFor(string? requested, string command, string target)
    {
        var path = requested ?? Path.Combine(RepositoryPaths.Root, "artifacts", "bench", $"{command}-{target}-{DateTime.UtcNow:yyyyMMdd-HHmmss}.json");
        return Path.GetFullPath(path);
    }

    public static async Task WriteAsync<T>(string path, T report, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await using var file = File.Create(path);
        await JsonSerializer.SerializeAsync(file, report, Options, cancellationToken);
    }

    private sealed class OptionNamingPolicy : JsonNamingPolicy
    {
        public override string ConvertName(string name) => name.ToLowerInvariant();
    }
}
