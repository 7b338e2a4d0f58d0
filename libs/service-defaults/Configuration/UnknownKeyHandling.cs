namespace Vapora.ServiceDefaults.Configuration;

/// <summary>See <see cref="ConfigurationCheckOptions.UnknownKeys"/>.</summary>
public enum UnknownKeyHandling
{
    /// <summary>Refuse to start.</summary>
    Fail,

    /// <summary>Log each unknown key as an error and start.</summary>
    Warn,
}
