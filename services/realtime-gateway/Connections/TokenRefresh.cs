using System.Security.Claims;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.IdentityModel.Tokens;
using Vapora.Contracts;
using Vapora.RealtimeGateway.Internal;
using Vapora.ServiceDefaults.Security;

namespace Vapora.RealtimeGateway.Connections;

/// <summary>
/// A fresh token sent in-band on an open socket (<c>{"type":"token","token":"…"}</c>): checked as at connect, it
/// replaces the connection's own if it is valid and names the same subject. Then the connection ends at the new
/// token's expiry, and the subscriptions the new token no longer allows end (only those: the others go on with no gap).
/// A token that fails changes nothing; the old one still stands until its own expiry.
/// </summary>
internal sealed class TokenRefresh(BearerTokenValidator validator, WorkflowAccess access, GatewayMetrics metrics, ILogger<TokenRefresh> logger)
{
    /// <summary>For a gateway with authentication off (<c>Auth:Mode=none</c>), as harnesses of the core build it: every token is answered, none checked.</summary>
    public static TokenRefresh WithoutAuthentication(GatewayMetrics metrics) =>
        new(new BearerTokenValidator(new ServiceCollection().BuildServiceProvider().GetRequiredService<IServiceScopeFactory>()),
            new WorkflowAccess(new AuthMode(IsOff: true)), metrics, NullLogger<TokenRefresh>.Instance);

    public async Task<TokenRefreshResult> RefreshAsync(Connection connection, string? token)
    {
        if (access.IsOpen)
        {
            // Nothing is checked and nothing expires: the frame is answered so that clients need no special case.
            metrics.TokenRefreshed("accepted", 0);
            return TokenRefreshResult.Accepted(null, []);
        }

        if (string.IsNullOrWhiteSpace(token))
        {
            return Refuse(connection, "token must be a non-empty string (a JWT); the current token stands");
        }

        var result = await validator.ValidateAsync(token);
        if (result.Failure is IssuerUnavailableException)
        {
            metrics.TokenRefreshed("unavailable", 0);
            return TokenRefreshResult.Unavailable("the token issuer is unreachable, so the token cannot be checked now; the current token stands, try again");
        }

        if (!result.Succeeded || result.Principal is not { } user || !access.IsAuthenticated(user))
        {
            return Refuse(connection, result.Failure is SecurityTokenExpiredException
                ? "token expired; the current token stands"
                : "invalid token; the current token stands");
        }

        var subject = user.FindFirst("sub")?.Value;
        if (subject is null || !string.Equals(subject, connection.User.FindFirst("sub")?.Value, StringComparison.Ordinal))
        {
            return Refuse(connection, "the token names another subject than the connection's; the current token stands");
        }

        if (ConnectionGrant.ExpiryOf(user) is not { } expiresAt)
        {
            return Refuse(connection, "the token has no exp; the current token stands");
        }

        connection.Grant.Renew(user, expiresAt);
        if (!CanReadAnything(user))
        {
            // As at connect: a token that may read nothing holds no connection.
            connection.Close(ReadsNothing);
        }

        var unsubscribed = connection.Subscriptions.ForgetUnreadable();
        metrics.TokenRefreshed("accepted", unsubscribed.Count);
        if (unsubscribed.Count > 0)
        {
            GatewayLog.TokenRefreshNarrowed(logger, connection.Id, unsubscribed.Count);
        }

        return TokenRefreshResult.Accepted(expiresAt, unsubscribed);
    }

    private static readonly CloseReason ReadsNothing = CloseReason.Forbidden with { Reason = "the refreshed token may read no workflow" };

    private bool CanReadAnything(ClaimsPrincipal user) =>
        access.CanReadAll(user) || user.HasClaim(c => c.Type == WorkflowClaims.WorkflowsClaim && !string.IsNullOrWhiteSpace(c.Value));

    private TokenRefreshResult Refuse(Connection connection, string message)
    {
        metrics.TokenRefreshed("refused", 0);
        GatewayLog.TokenRefreshRefused(logger, connection.Id, message);
        return TokenRefreshResult.Refused(message);
    }
}
