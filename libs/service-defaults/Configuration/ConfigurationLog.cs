using Microsoft.Extensions.Logging;

namespace Vapora.ServiceDefaults.Configuration;

internal static partial class ConfigurationLog
{
    [LoggerMessage(300, LogLevel.Error, "Unknown configuration key {Key} (environment variable {Variable}): {Service} reads no such setting, so it has no effect.{Suggestion}")]
    public static partial void UnknownKey(ILogger logger, string key, string variable, string service, string suggestion);
}
