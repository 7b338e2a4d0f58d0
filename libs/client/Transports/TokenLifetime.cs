using System.Buffers.Text;
using System.Text.Json;

namespace Vapora.Client.Transports;

/// <summary>
/// When to refresh a token: a fifth of its lifetime before expiry, but never less than 5 s (half the lifetime for a token
/// under 10 s: a short token's fifth cannot absorb a stall, a slow network or a clock a second off), read from its
/// <c>iat</c> and <c>exp</c> (unverified: the client only plans with them; the gateway checks the token). Null for a
/// token whose lifetime cannot be read (not a JWT): then the gateway's <c>token_expiring</c> notice is what starts a
/// refresh.
/// </summary>
internal static class TokenLifetime
{
    private static readonly TimeSpan MinimumLead = TimeSpan.FromSeconds(5);

    public static DateTimeOffset? RefreshAt(string token, DateTimeOffset now)
    {
        if (Read(token) is not var (issuedAt, expiresAt))
        {
            return null;
        }

        var lifetime = expiresAt - (issuedAt ?? now);
        var lead = Math.Max((lifetime / 5).Ticks, Math.Min(MinimumLead.Ticks, (lifetime / 2).Ticks));
        return expiresAt - TimeSpan.FromTicks(lead);
    }

    /// <summary>The token's <c>exp</c>, or null when it cannot be read.</summary>
    public static DateTimeOffset? ExpiresAt(string token) => Read(token)?.ExpiresAt;

    private static (DateTimeOffset? IssuedAt, DateTimeOffset ExpiresAt)? Read(string token)
    {
        var parts = token.Split('.');
        if (parts.Length != 3)
        {
            return null;
        }

        try
        {
            using var payload = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[1]));
            if (!payload.RootElement.TryGetProperty("exp", out var expClaim) || !expClaim.TryGetInt64(out var exp))
            {
                return null;
            }

            var issuedAt = payload.RootElement.TryGetProperty("iat", out var iatClaim) && iatClaim.TryGetInt64(out var iat) && iat < exp
                ? DateTimeOffset.FromUnixTimeSeconds(Math.Max(iat, 0))
                : (DateTimeOffset?)null;
            return (issuedAt, DateTimeOffset.FromUnixTimeSeconds(Math.Clamp(exp, 0, 253_402_300_799)));
        }
        catch (Exception ex) when (ex is FormatException or JsonException or ArgumentException)
        {
            return null;
        }
    }
}
