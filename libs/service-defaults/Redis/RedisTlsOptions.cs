namespace Vapora.ServiceDefaults.Redis;

/// <summary>
/// TLS to Redis with a private certificate authority (section <c>Redis:Tls</c>). TLS itself is switched on by
/// <c>ssl=true</c> in the connection string; these settings say whom to trust and who we are.
/// </summary>
public sealed class RedisTlsOptions
{
    /// <summary>Configuration section.</summary>
    public const string SectionName = "Redis:Tls";

    /// <summary>
    /// PEM file of the CA that signed the Redis servers' certificates (<c>Redis__Tls__CaFile</c>). When set, a server
    /// certificate must chain to this CA (and match the host name), whatever else the machine trusts.
    /// </summary>
    public string? CaFile { get; set; }

    /// <summary>PEM client certificate, for servers with <c>tls-auth-clients yes</c> (<c>Redis__Tls__ClientCertFile</c>).</summary>
    public string? ClientCertFile { get; set; }

    /// <summary>PEM private key of <see cref="ClientCertFile"/> (<c>Redis__Tls__ClientKeyFile</c>).</summary>
    public string? ClientKeyFile { get; set; }

    /// <summary>True when any TLS setting is given.</summary>
    public bool IsConfigured =>
        !string.IsNullOrWhiteSpace(CaFile) || !string.IsNullOrWhiteSpace(ClientCertFile) || !string.IsNullOrWhiteSpace(ClientKeyFile);
}
