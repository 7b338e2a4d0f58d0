using System.Globalization;

namespace Vapora.WorkflowApi.Workflows;

/// <summary>A workflow's entity tag is its version: <c>ETag: "7"</c>.</summary>
internal static class EntityTags
{
    public static string For(long version) => "\"" + version.ToString(CultureInfo.InvariantCulture) + "\"";

    /// <summary>Parses If-Match / If-None-Match: <c>"7"</c>, <c>W/"7"</c> or a bare <c>7</c>; <c>*</c> gives null with success.</summary>
    public static bool TryParse(string header, out long? version)
    {
        version = null;
        var value = header.Trim();
        if (value == "*")
        {
            return true;
        }

        if (value.StartsWith("W/", StringComparison.Ordinal))
        {
            value = value[2..];
        }

        value = value.Trim('"');
        if (long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) && parsed >= 1)
        {
            version = parsed;
            return true;
        }

        return false;
    }
}
