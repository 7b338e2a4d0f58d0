using Microsoft.AspNetCore.WebUtilities;
using Vapora.Contracts;
using Vapora.Contracts.Protocol;
using Vapora.RealtimeGateway.Connections;

namespace Vapora.RealtimeGateway.Transport.WebSockets;

/// <summary>
/// <c>GET /api/workflows/{id}/updates</c> as a WebSocket: one workflow's updates as text frames, the current state
/// first, or with <c>?after=N</c> every version after N first (or, when that cannot be continued gap-free, the state
/// marked <c>"reset":true</c>). Problems end the socket with a close code (<see cref="CloseReason"/>), which every
/// client, browsers included, can see.
/// </summary>
internal static class WorkflowStreamEndpoint
{
    // Not async: no frame of its own stays suspended under the socket.
    public static Task HandleAsync(string id, HttpContext http, SocketAcceptor acceptor)
    {
        if (!http.WebSockets.IsWebSocketRequest)
        {
            return SocketEndpoints.UpgradeRequiredAsync(http);
        }

        // Parsed apart from Request.Query, which would keep its dictionary for the socket's lifetime.
        var after = QueryHelpers.ParseNullableQuery(http.Request.QueryString.Value)?.GetValueOrDefault("after") ?? default;
        long? afterVersion = null;
        string? problem = null;
        if (!WorkflowIds.IsValid(id))
        {
            problem = $"invalid workflow id: {WorkflowIds.FormatDescription}";
        }
        else if (after.Count > 1 || (after.Count == 1 && !VersionParameter.TryParse(after[0], out afterVersion)))
        {
            problem = "after must be one integer version of 0 or more";
        }

        return acceptor.RunAsync(http, problem, OnMessageAsync, connection => StartAsync(connection, id, afterVersion));
    }

    private static async Task StartAsync(Connection connection, string id, long? after)
    {
        var result = await connection.Subscriptions.SubscribeAsync(id, after, enveloped: false, subscribedFrame: null);
        if (result.Close is { } reason)
        {
            connection.Close(reason);
        }
    }

    // The stream is read-only: only an application ping and an in-band token are accepted (protocol pings are
    // answered by the socket itself).
    private static async Task OnMessageAsync(Connection connection, ReadOnlyMemory<byte> message)
    {
        if (ProtocolFrames.IsPing(message.Span))
        {
            connection.EnqueueControl(ProtocolFrames.Pong);
            return;
        }

        if (ProtocolFrames.Parse(message.Span) is not { Type: ClientFrame.Types.Token, WorkflowId: null, After: null } frame)
        {
            connection.Close(CloseReason.BadRequest("this stream accepts only {\"type\":\"ping\"} and {\"type\":\"token\",\"token\":\"…\"}; use /ws to subscribe"));
            return;
        }

        var result = await ProtocolFrames.RefreshTokenAsync(connection, frame);
        if (result.Unsubscribed.Count > 0)
        {
            // The stream's one workflow: it ends as a stream the token does not allow ends at connect.
            connection.Close(CloseReason.Forbidden);
        }
        else if (result.IsAccepted)
        {
            connection.EnqueueControl(ProtocolFrames.TokenAccepted(result.ExpiresAt));
        }
    }
}
