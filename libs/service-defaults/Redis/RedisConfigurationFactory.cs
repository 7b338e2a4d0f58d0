using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Vapora.ServiceDefaults.Redis;

/// <summary>
/// Turns <c>ConnectionStrings:redis</c> plus the <c>Redis</c> settings into StackExchange.Redis options: credentials,
/// TLS trust, and a handshake that needs no more than the ACL in <c>deploy/redis/users.acl</c> grants.
/// </summary>
internal static class RedisConfigurationFactory
{
    /// <summary>
    /// Commands the library would send on its own but Vapora never needs: CONFIG (reads settings that include the
    /// replication password) and INFO (server details). The role of each server comes from HELLO instead, and
    /// Sentinel closes client connections when it changes a role, so the next HELLO sees the new one.
    /// </summary>
    private static readonly HashSet<string> UnusedCommands = ["CONFIG", "INFO"];

    private static readonly ConfigurationOptions LibraryDefaults = new();

    /// <summary>Default async command timeout: a healthy Redis answers in well under a millisecond.</summary>
    public const int SilentLinkTimeoutMilliseconds = 500;

    /// <summary>Default keep-alive: a PING on every connection idle for this long.</summary>
    public const int KeepAliveSeconds = 1;

    public static ConfigurationOptions Create(string connectionString, string clientName, RedisCredentialOptions credentials,
        RedisTlsOptions tls, ILogger logger, TimeProvider time)
    {
        var options = ConfigurationOptions.Parse(connectionString);
        options.AbortOnConnectFail = false;
        // Come back quickly after a Redis restart (the default first retry waits seconds).
        options.ReconnectRetryPolicy ??= new ExponentialRetry(deltaBackOffMilliseconds: 250, maxDeltaBackOffMilliseconds: 5000);
        // A link that goes silent (a NAT or load balancer forgot the flow, a frozen node) sends no FIN or RST, and TCP
        // retransmits for many minutes. The library drops a connection that has read nothing for four async timeouts
        // while a command timed out, and opens a fresh one; a PING every second on an idle connection (pub/sub
        // included) makes sure such a command exists. 500 ms and 1 s detect a dead link in about 4 s (docs/operations.md,
        // "Quiet faults"). Values set in the connection string (asyncTimeout=, keepAlive=) are kept.
        if (options.AsyncTimeout == LibraryDefaults.AsyncTimeout)
        {
            options.AsyncTimeout = SilentLinkTimeoutMilliseconds;
        }

        if (options.KeepAlive == LibraryDefaults.KeepAlive)
        {
            options.KeepAlive = KeepAliveSeconds;
        }

        options.ClientName ??= $"{clientName}-{Environment.MachineName}-{Environment.ProcessId}";

        if (!string.IsNullOrWhiteSpace(credentials.User))
        {
            options.User = credentials.User;
        }

        if (!string.IsNullOrEmpty(credentials.Password))
        {
            options.Password = credentials.Password;
        }

        // Least privilege: what the library does by default beyond pub/sub would need rights the Vapora users do
        // not have (a key for the tie-breaker, a channel for role-change broadcasts, CONFIG and INFO). An explicit
        // choice in the connection string is kept.
        if (ReferenceEquals(options.CommandMap, CommandMap.Default))
        {
            options.CommandMap = CommandMap.Create(UnusedCommands, available: false);
        }

        if (options.TieBreaker == LibraryDefaults.TieBreaker)
        {
            options.TieBreaker = string.Empty;
        }

        if (options.ConfigurationChannel == LibraryDefaults.ConfigurationChannel)
        {
            options.ConfigurationChannel = string.Empty;
        }

        if (!string.IsNullOrWhiteSpace(tls.CaFile))
        {
            options.CertificateValidation += new RedisServerCertificateValidator(tls.CaFile, logger, time).Validate;
        }

        if (!string.IsNullOrWhiteSpace(tls.ClientCertFile))
        {
            options.SetUserPemCertificate(tls.ClientCertFile, tls.ClientKeyFile);
        }

        return options;
    }
}
