using Vapora.Contracts;
using Vapora.Contracts.Protocol;
using Vapora.RealtimeGateway.Connections;

namespace Vapora.RealtimeGateway.Transport.WebSockets;

/// <summary>
/// <c>/ws</c>: one socket for many workflows. The client sends <c>subscribe</c>, <c>unsubscribe</c>, <c>token</c> and
/// <c>ping</c> frames; the gateway answers with <c>subscribed</c>, <c>unsubscribed</c>, <c>update</c>, <c>error</c>,
/// <c>token_accepted</c> and <c>pong</c>, and warns with <c>token_expiring</c> before the token expires.
/// A bad frame gets an error frame and the socket stays open.
/// </summary>
internal static class MultiplexEndpoint
{
    // Not async: no frame of its own stays suspended under the socket.
    public static Task HandleAsync(HttpContext http, SocketAcceptor acceptor) =>
        http.WebSockets.IsWebSocketRequest ? acceptor.RunAsync(http, problem: null, OnMessageAsync, start: null) : SocketEndpoints.UpgradeRequiredAsync(http);

    private static async Task OnMessageAsync(Connection connection, ReadOnlyMemory<byte> message)
    {
        var frame = ProtocolFrames.Parse(message.Span);
        switch (frame?.Type)
        {
            case ClientFrame.Types.Ping:
                connection.EnqueueControl(ProtocolFrames.Pong);
                return;
            case ClientFrame.Types.Subscribe:
                await SubscribeAsync(connection, frame);
                return;
            case ClientFrame.Types.Unsubscribe:
                Unsubscribe(connection, frame);
                return;
            case ClientFrame.Types.Token:
                await RefreshTokenAsync(connection, frame);
                return;
            default:
                connection.EnqueueControl(ProtocolFrames.Error(ServerFrame.ErrorCodes.BadFrame,
                    "expected a JSON object with type subscribe, unsubscribe, token or ping"));
                return;
        }
    }

    private static async Task SubscribeAsync(Connection connection, ClientFrame frame)
    {
        var id = frame.WorkflowId;
        if (!WorkflowIds.IsValid(id))
        {
            connection.EnqueueControl(ProtocolFrames.Error(ServerFrame.ErrorCodes.BadFrame, $"workflow_id must be {WorkflowIds.FormatDescription}"));
            return;
        }

        if (frame.After is < 0)
        {
            connection.EnqueueControl(ProtocolFrames.Error(ServerFrame.ErrorCodes.BadFrame, "after must be 0 or more", id));
            return;
        }

        var result = await connection.Subscriptions.SubscribeAsync(id!, frame.After, enveloped: true, ProtocolFrames.Subscribed(id!));
        if (!result.IsSubscribed)
        {
            connection.EnqueueControl(ProtocolFrames.Error(result, id!));
        }
    }

    /// <summary>A refresh that narrows the token ends only the workflows it no longer allows: an error and an unsubscribed frame each.</summary>
    private static async Task RefreshTokenAsync(Connection connection, ClientFrame frame)
    {
        var result = await ProtocolFrames.RefreshTokenAsync(connection, frame);
        if (!result.IsAccepted)
        {
            return;
        }

        foreach (var id in result.Unsubscribed)
        {
            connection.EnqueueControl(ProtocolFrames.Error(ServerFrame.ErrorCodes.Forbidden, "the refreshed token does not allow this workflow", id));
            connection.EnqueueControl(ProtocolFrames.Unsubscribed(id));
        }

        connection.EnqueueControl(ProtocolFrames.TokenAccepted(result.ExpiresAt));
    }

    private static void Unsubscribe(Connection connection, ClientFrame frame)
    {
        var id = frame.WorkflowId;
        if (!WorkflowIds.IsValid(id) || !connection.Subscriptions.Unsubscribe(id!))
        {
            connection.EnqueueControl(ProtocolFrames.Error(ServerFrame.ErrorCodes.BadFrame, "not subscribed to that workflow", id));
            return;
        }

        connection.EnqueueControl(ProtocolFrames.Unsubscribed(id!));
    }
}
