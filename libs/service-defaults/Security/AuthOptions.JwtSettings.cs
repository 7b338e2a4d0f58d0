using System.ComponentModel.DataAnnotations;

namespace Vapora.ServiceDefaults.Security;

public sealed partial class AuthOptions
{
    /// <summary>How tokens are validated. Give at least one key source: a shared secret, a public key, or an authority.</summary>
    public sealed class JwtSettings
    {
        /// <summary>Required issuer (<c>iss</c>).</summary>
        [Required]
        public string? Issuer { get; set; }

        /// <summary>Required audience (<c>aud</c>).</summary>
        [Required]
        public string? Audience { get; set; }

        /// <summary>HS256 shared secret (at least 32 bytes of UTF-8).</summary>
        public string? SigningKey { get; set; }

        /// <summary>The issuer's public key (RSA or ECDSA, PEM) for RS*/ES* tokens.</summary>
        public string? PublicKeyPem { get; set; }

        /// <summary>An OpenID Connect authority whose discovery document and JWKS give the keys (rotated automatically).</summary>
        public Uri? Authority { get; set; }

        /// <summary>Allow an <c>http</c> authority (tests and local identity servers only).</summary>
        public bool RequireHttpsMetadata { get; set; } = true;

        /// <summary>Tolerated clock difference when checking <c>exp</c> and <c>nbf</c>.</summary>
        public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);
    }
}
