using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Vapora.ServiceDefaults.Security;

/// <summary>
/// Checks a bearer token that did not come with a request, such as one a client sends on a connection it already holds
/// (an in-band token refresh): it goes through the very authentication a request's token goes through (keys or the
/// issuer's JWKS, issuer, audience, lifetime, the issuer-outage rule), so a token is never valid on one path and not on
/// the other.
/// </summary>
public sealed class BearerTokenValidator(IServiceScopeFactory scopes)
{
    /// <summary>
    /// The token's principal, or the failure (<see cref="IssuerUnavailableException"/> when its keys cannot be fetched
    /// right now). Without a configured scheme (<c>Auth:Mode=none</c>) nothing authenticates.
    /// </summary>
    public async Task<AuthenticateResult> ValidateAsync(string token)
    {
        await using var scope = scopes.CreateAsyncScope();
        var http = new DefaultHttpContext { RequestServices = scope.ServiceProvider };
        http.Request.Headers.Authorization = "Bearer " + token;
        return await http.AuthenticateAsync();
    }
}
