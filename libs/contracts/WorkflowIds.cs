using System.Buffers;

namespace Vapora.Contracts;

/// <summary>
/// The workflow id format: 1–64 characters of <c>A-Z a-z 0-9 _ -</c>.
/// Strict on purpose: an id ends up in a Redis channel name, a MongoDB filter and a URL path,
/// so nothing that could be a glob pattern, an operator or a path trick may pass.
/// </summary>
public static class WorkflowIds
{
    /// <summary>The longest id accepted.</summary>
    public const int MaxLength = 64;

    /// <summary>Human-readable description of the format, for error messages.</summary>
    public const string FormatDescription = "1-64 characters of A-Z, a-z, 0-9, '_' or '-'";

    /// <summary>True when <paramref name="id"/> has the id format.</summary>
    public static bool IsValid(string? id) =>
        id is { Length: > 0 and <= MaxLength } && !id.AsSpan().ContainsAnyExcept(Allowed);

    private static readonly SearchValues<char> Allowed =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-");
}
