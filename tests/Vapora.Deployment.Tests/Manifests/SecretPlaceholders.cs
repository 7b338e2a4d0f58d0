using Vapora.Testing;

namespace Vapora.Deployment.Tests.Manifests;

/// <summary>
/// Values for the Secrets the manifests refer to and the operator creates (deploy/k8s/overlays/production
/// kustomization.yaml says which): a fresh JWT signing key with a service token signed by it, and the Redis users'
/// placeholder passwords of deploy/redis/users.acl. A reference to a Secret or key not listed here fails the test,
/// so a new one is noticed and documented.
/// </summary>
public sealed class SecretPlaceholders
{
    private readonly Dictionary<string, Dictionary<string, string>> _secrets;

    public SecretPlaceholders(TokenFactory tokens, string issuer, string audience)
    {
        Tokens = tokens;
        Issuer = issuer;
        Audience = audience;
        _secrets = new Dictionary<string, Dictionary<string, string>>
        {
            ["vapora-secrets"] = new()
            {
                ["Auth__Jwt__SigningKey"] = tokens.SharedSecret,
                // The gateways' own token for reading state and history from the API.
                ["Gateway__ApiAccessToken"] = tokens.Create("workflows:read", subject: "realtime-gateway", issuer: issuer, audience: audience, lifetime: TimeSpan.FromDays(1)),
            },
            ["vapora-redis-acl"] = new() { ["users.acl"] = File.ReadAllText(RedisAcl.FilePath) },
            ["vapora-redis-credentials"] = new()
            {
                ["api-password"] = RedisAcl.PasswordOf(RedisAcl.ApiUser),
                ["gateway-password"] = RedisAcl.PasswordOf(RedisAcl.GatewayUser),
                ["replication-password"] = RedisAcl.PasswordOf(RedisAcl.ReplicationUser),
                ["admin-password"] = RedisAcl.PasswordOf(RedisAcl.AdminUser),
            },
        };
    }

    /// <summary>Signs the service token and whatever tokens a test needs, with the placeholder signing key.</summary>
    public TokenFactory Tokens { get; }

    /// <summary>The issuer the manifests' ConfigMap names.</summary>
    public string Issuer { get; }

    /// <summary>The audience the manifests' ConfigMap names.</summary>
    public string Audience { get; }

    /// <summary>Every key the operator's Secret of that name holds here (null when it is not one of them).</summary>
    public IReadOnlyDictionary<string, string>? Secret(string name) => _secrets.GetValueOrDefault(name);
}
