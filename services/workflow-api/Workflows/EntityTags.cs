using System.Globalization;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace Vapora.WorkflowApi.Workflows;

/// <summary>A workflow's entity tag is its version: <c>ETag: "7"</c>. Headers are parsed by <see cref="EntityTagHeaderValue"/>.</summary>
internal static class EntityTags
{
    public static string For(long version) => "\"" + version.ToString(CultureInfo.InvariantCulture) + "\"";

    /// <summary>
    /// If-Match for a write: one entity tag (<c>"7"</c>, or weak <c>W/"7"</c>), <c>*</c> (any version: null), or a bare
    /// <c>7</c> as typed by hand. A list is refused: a write expects one version.
    /// </summary>
    public static bool TryParseIfMatch(StringValues header, out long? version)
    {
        version = null;
        if (header.Count != 1)
        {
            return false;
        }

        var value = header.ToString().Trim();
        if (EntityTagHeaderValue.TryParse(value, out var tag))
        {
            return tag.Equals(EntityTagHeaderValue.Any) || TryVersion(tag, out version);
        }

        return TryVersion(value, out version);
    }

    /// <summary>If-None-Match for a read: true (304) when it lists this version (weakly compared) or is <c>*</c>.</summary>
    public static bool IfNoneMatchHolds(StringValues header, long version)
    {
        if (header.Count == 0 || !EntityTagHeaderValue.TryParseList(header, out var tags))
        {
            return false;
        }

        return tags.Any(tag => tag.Equals(EntityTagHeaderValue.Any) || (TryVersion(tag, out var seen) && seen == version));
    }

    private static bool TryVersion(EntityTagHeaderValue tag, out long? version) =>
        TryVersion(tag.Tag.AsSpan().Trim('"'), out version);

    private static bool TryVersion(ReadOnlySpan<char> text, out long? version)
    {
        version = null;
        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) && parsed >= 1)
        {
            version = parsed;
        }

        return version is not null;
    }
}
