using System.Net;
using System.Security.Claims;
using Microsoft.AspNetCore.Http.Features;
using Vapora.Contracts;
using Vapora.RealtimeGateway.Internal;

namespace Vapora.RealtimeGateway.Connections;

/// <summary>
/// Admits and runs connections, whatever their transport, in the same steps for each: the page's origin before the
/// transport accepts anything (<see cref="OriginAllowedAsync"/>), then who asks and whether now
/// (<see cref="AdmitAsync"/>: token, drain, the request itself), then the connection limits (of the gateway, the token's subject and the client's address) and a connection's end when
/// its token expires (<see cref="RunAsync"/>). A refused connection is closed with its <see cref="CloseReason"/>, which
/// its transport shows in its own form (a close code, an HTTP status).
/// </summary>
internal sealed class ConnectionHost(
    ConnectionRegistry registry,
    ConnectionAdmission admission,
    AdmissionPacer pacer,
    ConnectionServices services,
    ILogger<ConnectionHost> logger)
{
    /// <summary>Who a connection is when authentication is off, or refused: one shared principal, not one per socket.</summary>
    private static readonly ClaimsPrincipal Anonymous = new(new ClaimsIdentity());

    /// <summary>One delegate for every connection's end (a method group would allocate one per connection).</summary>
    private readonly Action<Connection> _unregister = registry.Unregister;

    public ConnectionServices Services { get; } = services;

    /// <summary>The first step, before a transport accepts anything: false (answered 403) when the page's origin may not connect.</summary>
    public Task<bool> OriginAllowedAsync(HttpContext http) => admission.OriginAllowedAsync(http);

    /// <summary>
    /// The second step, before the transport accepts anything: this connection's turn among those arriving together
    /// (<see cref="AdmissionPacer"/>); null when it waited too long (answered 503). Hand it to <see cref="RunAsync"/>,
    /// or release it.
    /// </summary>
    public ValueTask<AdmissionTicket?> WaitTurnAsync(HttpContext http) => pacer.EnterAsync(http);

    /// <summary>The third step: why this request may not be served (token, drain, <paramref name="problem"/>), or null.</summary>
    public ValueTask<CloseReason?> AdmitAsync(HttpContext http, string? problem = null) => admission.RefusalAsync(http, problem);

    /// <summary>
    /// The client's address, read from the connection feature:
    /// <c>HttpContext.Connection</c> would allocate a wrapper that the request, and so the socket, keeps for its lifetime.
    /// </summary>
    public static IPAddress? RemoteAddressOf(HttpContext http) => http.Features.Get<IHttpConnectionFeature>()?.RemoteIpAddress;

    /// <summary>A new connection of <paramref name="http"/>'s user over <paramref name="transport"/>, once <see cref="AdmitAsync"/> has answered.</summary>
    public Connection Open(IConnectionTransport transport, HttpContext http, CloseReason? refusal) =>
        new(registry.NextId(), transport, Services.Access.IsOpen || refusal is not null ? Anonymous : http.User, Services);

    /// <summary>
    /// Runs a connection to its end: a refused one is closed with its reason (the transport shows it) and only its inbound
    /// side runs; an admitted one is counted against the limit (closed as "try again later" beyond it) and closed when
    /// its token expires (warned before, when the transport can carry a fresh token back: <see cref="ConnectionGrant"/>).
    /// </summary>
    /// <remarks>Not async: the registration ends in the connection's own end, so no frame of this method stays suspended under it.</remarks>
    /// <param name="address">The client's address (the load balancer's forwarded one where configured), for its connection limit.</param>
    /// <param name="turn">The connection's turn (<see cref="WaitTurnAsync"/>): released when <paramref name="start"/> has ended, or at once without one.</param>
    /// <param name="expiringFrame">Encodes the warning before the token expires; null for a transport that cannot send a fresh token back.</param>
    public Task RunAsync(Connection connection, IPAddress? address, CloseReason? refusal, AdmissionTicket turn, Func<Connection, Task> inbound,
        Func<Connection, Task>? start, Func<DateTimeOffset, ReadOnlyMemory<byte>>? expiringFrame = null)
    {
        if (refusal is not null)
        {
            turn.Release();
            connection.Close(refusal);
            return connection.RunAsync(inbound);
        }

        if (registry.TryRegister(connection, SubjectOf(connection), address) is { } full)
        {
            turn.Release();
            if (full == CloseReason.TryAgainLater)
            {
                Services.Metrics.InboundRejected("connection_limit");
                GatewayLog.ConnectionLimit(logger, registry.Limit);
            }
            else
            {
                Services.Metrics.InboundRejected(full == CloseReason.SubjectAtLimit ? "subject_limit" : "address_limit");
                GatewayLog.ConnectionQuotaReached(logger, full.Reason);
            }

            connection.Close(full);
            return connection.RunAsync(inbound);
        }

        try
        {
            connection.Grant.Start(expiringFrame);
            var run = connection.RunAsync(inbound, start is null ? null : turn.Around(start), _unregister);
            if (start is null)
            {
                turn.Release();
            }

            return run;
        }
        catch
        {
            turn.Release();
            registry.Unregister(connection);
            throw;
        }
    }

    /// <summary>Whose connections this one counts with: the token's <c>sub</c> (tokens without one share a count); none when authentication is off.</summary>
    private string? SubjectOf(Connection connection) =>
        Services.Access.IsOpen ? null : connection.User.FindFirst("sub")?.Value ?? string.Empty;
}
