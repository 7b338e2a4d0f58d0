namespace Vapora.ServiceDefaults;

/// <summary>Names of Vapora's meters and activity sources; every one starts with "Vapora.".</summary>
public static class VaporaTelemetry
{
    /// <summary>Prefix of every Vapora meter.</summary>
    public const string MeterPrefix = "Vapora.";

    /// <summary>Prefix of every Vapora activity source.</summary>
    public const string ActivitySourcePrefix = "Vapora.";
}
