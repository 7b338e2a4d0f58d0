using Microsoft.Extensions.Logging;

namespace Vapora.ServiceDefaults.Security;

/// <summary>The authentication setup's log messages.</summary>
internal static partial class SecurityLog
{
    [LoggerMessage(200, LogLevel.Warning, "AUTHENTICATION IS OFF (Auth:Mode=none): anyone can read and write every workflow. Use it for local development only.")]
    public static partial void AuthenticationOff(ILogger logger);
}
