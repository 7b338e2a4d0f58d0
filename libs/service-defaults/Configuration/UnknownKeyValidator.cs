using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Vapora.ServiceDefaults.Configuration;

/// <summary>
/// At start-up, finds the keys in the service's own sections that no setting reads: a misspelt
/// <c>Gateway__DrainWindw</c> would otherwise be ignored and the default used without a word.
/// </summary>
internal sealed class UnknownKeyValidator(IConfiguration configuration, ConfigurationSchema schema, string service, ILoggerFactory loggers)
    : IValidateOptions<ConfigurationCheckOptions>
{
    public ValidateOptionsResult Validate(string? name, ConfigurationCheckOptions options)
    {
        var unknown = schema.UnknownKeys(configuration);
        if (unknown.Count == 0)
        {
            return ValidateOptionsResult.Success;
        }

        if (options.UnknownKeys == UnknownKeyHandling.Warn)
        {
            var logger = loggers.CreateLogger("Vapora.Configuration");
            foreach (var key in unknown)
            {
                ConfigurationLog.UnknownKey(logger, key, Variable(key), service, Suggestion(key));
            }

            return ValidateOptionsResult.Success;
        }

        return ValidateOptionsResult.Fail(unknown.Select(key =>
            $"Unknown configuration key {key} (environment variable {Variable(key)}): {service} reads no such setting.{Suggestion(key)} "
            + $"Fix or remove it, or set {ConfigurationCheckOptions.SectionName}__{nameof(ConfigurationCheckOptions.UnknownKeys)}=warn to start anyway."));
    }

    private static string Variable(string key) => key.Replace(":", "__", StringComparison.Ordinal);

    private string Suggestion(string key) => schema.Suggest(key) is { } known ? $" Did you mean {known}?" : string.Empty;
}
