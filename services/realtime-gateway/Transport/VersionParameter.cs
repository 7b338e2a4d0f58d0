using System.Globalization;

namespace Vapora.RealtimeGateway.Transport;

/// <summary>A version as a client names it in a request (<c>?after=N</c>, <c>Last-Event-ID</c>): an integer of 0 or more.</summary>
internal static class VersionParameter
{
    public static bool TryParse(string? value, out long? version)
    {
        version = null;
        if (long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
        {
            version = parsed;
            return true;
        }

        return false;
    }
}
