namespace Vapora.ServiceDefaults.Configuration;

/// <summary>What a service does with a key in its own sections that no setting reads (section <c>ConfigurationCheck</c>).</summary>
public sealed class ConfigurationCheckOptions
{
    /// <summary>Configuration section.</summary>
    public const string SectionName = "ConfigurationCheck";

    /// <summary><c>fail</c> (default): the service does not start, naming the key; <c>warn</c>: it logs the key as an error and starts.</summary>
    public UnknownKeyHandling UnknownKeys { get; set; } = UnknownKeyHandling.Fail;
}
