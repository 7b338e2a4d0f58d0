using System.ComponentModel.DataAnnotations;

namespace Vapora.ServiceDefaults.Security;

/// <summary>Authentication settings (section <c>Auth</c>), the same for the API and the gateways.</summary>
public sealed partial class AuthOptions
{
    /// <summary>Configuration section.</summary>
    public const string SectionName = "Auth";

    /// <summary><c>jwt</c> (default) or <c>none</c>, in any case; anything else stops the process at start-up.</summary>
    public AuthenticationMode Mode { get; set; } = AuthenticationMode.Jwt;

    /// <summary>JWT validation.</summary>
    public JwtSettings Jwt { get; set; } = new();
}
