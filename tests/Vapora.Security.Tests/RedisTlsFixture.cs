using Vapora.Testing;

namespace Vapora.Security.Tests;

/// <summary>
/// Redis reachable over TLS only, with a certificate from a private CA and <c>tls-auth-clients yes</c>, plus the ACL
/// users; workflow-api and a gateway trust that CA (Redis__Tls__CaFile) and present a client certificate.
/// </summary>
public sealed class RedisTlsFixture : IAsyncLifetime
{
    public TestCertificates Certificates { get; private set; } = null!;

    public RedisServer Redis { get; private set; } = null!;

    public ServiceProcess Api { get; private set; } = null!;

    public ServiceProcess Gateway { get; private set; } = null!;

    /// <summary>ConnectionStrings__redis for the TLS Redis.</summary>
    public string ConnectionString => Redis.ConnectionString + ",ssl=true";

    /// <summary>What a service needs to reach the TLS Redis.</summary>
    public IReadOnlyDictionary<string, string?> TlsSettings => new Dictionary<string, string?>
    {
        ["Redis__Tls__CaFile"] = Certificates.CaFile,
        ["Redis__Tls__ClientCertFile"] = Certificates.ClientCertFile,
        ["Redis__Tls__ClientKeyFile"] = Certificates.ClientKeyFile,
    };

    public async ValueTask InitializeAsync()
    {
        Certificates = await TestCertificates.CreateAsync();
        Redis = await StartRedisAsync(Certificates.ServerCertFile, Certificates.ServerKeyFile);
        Api = await ServiceProcess.StartApiAsync(ConnectionString, Settings.Layer(RedisAcl.ServiceSettings(RedisAcl.ApiUser), TlsSettings));
        Gateway = await ServiceProcess.StartGatewayAsync(ConnectionString, Api.BaseUrl,
            Settings.Layer(RedisAcl.ServiceSettings(RedisAcl.GatewayUser), TlsSettings));
    }

    /// <summary>A TLS-only Redis serving <paramref name="certificate"/>; the fixture itself trusts the matching CA.</summary>
    public Task<RedisServer> StartRedisAsync(string certificate, string key, string? trustedCa = null) =>
        RedisServer.StartProcessAsync(
            [
                .. RedisAcl.ServerArguments(),
                "--tls-cert-file", certificate, "--tls-key-file", key,
                "--tls-ca-cert-file", Certificates.CaFile, "--tls-auth-clients", "yes",
            ],
            options =>
            {
                options.Ssl = true;
                options.TrustIssuer(trustedCa ?? Certificates.CaFile);
                options.SetUserPemCertificate(Certificates.ClientCertFile, Certificates.ClientKeyFile);
                options.User = RedisAcl.AdminUser;
                options.Password = RedisAcl.PasswordOf(RedisAcl.AdminUser);
            },
            tlsOnly: true);

    public async ValueTask DisposeAsync()
    {
        await Gateway.DisposeAsync();
        await Api.DisposeAsync();
        await Redis.DisposeAsync();
        Certificates.Dispose();
    }
}
