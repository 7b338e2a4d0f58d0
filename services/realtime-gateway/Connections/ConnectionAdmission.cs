using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using Vapora.Contracts;
using Vapora.RealtimeGateway.Internal;
using Vapora.ServiceDefaults.Security;

namespace Vapora.RealtimeGateway.Connections;

/// <summary>
/// Who may connect, the same for every transport: the page's origin (before anything is accepted), then the token and
/// the drain. Each refusal is a <see cref="CloseReason"/> that the transport shows its own way. (The connection limit is
/// the registry's, taken when the connection runs: <see cref="ConnectionHost.RunAsync"/>.)
/// </summary>
internal sealed class ConnectionAdmission(
    ConnectionDrainer drainer,
    WorkflowAccess access,
    IOptions<ConnectionOptions> options,
    GatewayMetrics metrics,
    ILogger<ConnectionAdmission> logger)
{
    private readonly string[] _allowedOrigins = options.Value.AllowedOrigins;

    /// <summary>False (and answered with 403, counted and logged) when the request's page origin may not connect.</summary>
    public async Task<bool> OriginAllowedAsync(HttpContext http)
    {
        if (OriginPolicy.IsAllowed(http.Request, _allowedOrigins))
        {
            return true;
        }

        metrics.InboundRejected("origin");
        GatewayLog.OriginRejected(logger, http.Request.Headers.Origin.ToString());
        await TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Origin not allowed",
            detail: "This origin may not open sockets or event streams on this gateway (Gateway:AllowedOrigins).").ExecuteAsync(http);
        return false;
    }

    /// <summary>
    /// Authenticates the request (socket routes run ahead of the authentication middleware, see SocketEndpoints) and
    /// says why it may not be served (no or bad token, draining, <paramref name="problem"/> with the request itself);
    /// null when it may.
    /// </summary>
    public async ValueTask<CloseReason?> RefusalAsync(HttpContext http, string? problem)
    {
        if (!access.IsOpen)
        {
            var result = await http.AuthenticateAsync();
            if (result.Succeeded)
            {
                http.User = result.Principal;
            }

            if (result.Failure is IssuerUnavailableException)
            {
                metrics.InboundRejected("issuer_unavailable");
                return CloseReason.IssuerUnavailable;
            }

            if (!access.IsAuthenticated(http.User))
            {
                metrics.InboundRejected("unauthenticated");
                return result.Failure switch
                {
                    SecurityTokenExpiredException => CloseReason.TokenExpired,
                    null => CloseReason.Unauthorized,
                    _ => CloseReason.InvalidToken,
                };
            }
        }

        if (drainer.IsDraining)
        {
            return CloseReason.GoingAway;
        }

        // Known only now to come from someone who may ask: a bad request of an unknown caller is a 401 first.
        return problem is null ? null : CloseReason.BadRequest(problem);
    }
}
