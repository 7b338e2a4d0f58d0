using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Vapora.Testing;

/// <summary>Issues JWTs for tests: HS256 with a shared secret, or RS256 with a generated key pair.</summary>
public sealed class TokenFactory
{
    public const string Issuer = "https://issuer.vapora.test";
    public const string Audience = "vapora";

    public TokenFactory()
    {
        SharedSecret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48));
        Rsa = RSA.Create(2048);
    }

    /// <summary>The HS256 secret (give it to the services as Auth__Jwt__SigningKey).</summary>
    public string SharedSecret { get; }

    /// <summary>The RS256 key pair; its public half as PEM is <see cref="PublicKeyPem"/>.</summary>
    public RSA Rsa { get; }

    public string PublicKeyPem => Rsa.ExportSubjectPublicKeyInfoPem();

    /// <summary>Settings that make a service validate this factory's HS256 tokens.</summary>
    public IReadOnlyDictionary<string, string?> ServiceSettings() => new Dictionary<string, string?>
    {
        ["Auth__Mode"] = "jwt",
        ["Auth__Jwt__Issuer"] = Issuer,
        ["Auth__Jwt__Audience"] = Audience,
        ["Auth__Jwt__SigningKey"] = SharedSecret,
        ["Auth__Jwt__ClockSkew"] = "00:00:00",
    };

    /// <summary>An HS256 token. <paramref name="workflows"/> goes into the <c>workflows</c> claim.</summary>
    public string Create(string? scope = null, IEnumerable<string>? workflows = null, TimeSpan? lifetime = null, string subject = "tester",
        string issuer = Issuer, string audience = Audience, string? secret = null, DateTime? notBefore = null)
    {
        var key = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(secret ?? SharedSecret));
        return Create(new SigningCredentials(key, SecurityAlgorithms.HmacSha256), scope, workflows, lifetime, subject, issuer, audience, notBefore);
    }

    /// <summary>An RS256 token signed with <see cref="Rsa"/>.</summary>
    public string CreateRs256(string? scope = null, IEnumerable<string>? workflows = null, string? keyId = null) =>
        Create(new SigningCredentials(new RsaSecurityKey(Rsa) { KeyId = keyId }, SecurityAlgorithms.RsaSha256), scope, workflows, null, "tester", Issuer, Audience, null);

    /// <summary>An HS256 token with extra JOSE header parameters (such as <c>crit</c>).</summary>
    public string CreateWithHeader(string scope, IReadOnlyDictionary<string, object> header)
    {
        var key = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(SharedSecret));
        var now = DateTime.UtcNow;
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = now.AddHours(1),
            Claims = new Dictionary<string, object> { ["sub"] = "tester", ["scope"] = scope },
            AdditionalHeaderClaims = header.ToDictionary(h => h.Key, h => h.Value),
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.HmacSha256),
        });
    }

    /// <summary>A token whose header says <c>alg: none</c> and that carries no signature.</summary>
    public static string CreateUnsigned(string scope)
    {
        static string B64(string json) => Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(json));
        var exp = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds();
        return B64("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + B64($"{{\"iss\":\"{Issuer}\",\"aud\":\"{Audience}\",\"sub\":\"x\",\"scope\":\"{scope}\",\"exp\":{exp}}}") + ".";
    }

    private static string Create(SigningCredentials credentials, string? scope, IEnumerable<string>? workflows, TimeSpan? lifetime,
        string subject, string issuer, string audience, DateTime? notBefore)
    {
        var now = DateTime.UtcNow;
        var claims = new Dictionary<string, object> { ["sub"] = subject };
        if (scope is not null)
        {
            claims["scope"] = scope;
        }

        if (workflows is not null)
        {
            claims["workflows"] = workflows.ToArray();
        }

        var life = lifetime ?? TimeSpan.FromHours(1);
        var start = notBefore ?? (life < TimeSpan.Zero ? now + life - TimeSpan.FromMinutes(5) : now);
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            IssuedAt = start,
            NotBefore = start,
            Expires = now + life,
            Claims = claims,
            SigningCredentials = credentials,
        });
    }
}
