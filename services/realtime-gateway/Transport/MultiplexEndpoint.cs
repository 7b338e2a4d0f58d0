using System.Text.Json;
using Vapora.Contracts;
using Vapora.Contracts.Protocol;
using Vapora.RealtimeGateway.Connections;

namespace Vapora.RealtimeGateway.Transport;

/// <summary>
/// <c>/ws</c>: one socket for many workflows. The client sends <c>subscribe</c>, <c>unsubscribe</c> and <c>ping</c>
/// frames; the gateway answers with <c>subscribed</c>, <c>unsubscribed</c>, <c>update</c>, <c>error</c> and <c>pong</c>.
/// A bad frame gets an error frame and the socket stays open.
/// </summary>
internal static class MultiplexEndpoint
{
    // Not async: no frame of its own stays suspended under the socket.
    public static Task HandleAsync(HttpContext http, SocketAcceptor acceptor) =>
        http.WebSockets.IsWebSocketRequest ? acceptor.RunAsync(http, OnMessageAsync, start: null) : SocketEndpoints.UpgradeRequiredAsync(http);

    private static async Task OnMessageAsync(Connection connection, ReadOnlyMemory<byte> message)
    {
        ClientFrame? frame;
        try
        {
            frame = JsonSerializer.Deserialize(message.Span, VaporaJsonContext.Default.ClientFrame);
        }
        catch (JsonException)
        {
            frame = null;
        }

        switch (frame?.Type)
        {
            case ClientFrame.Types.Ping:
                connection.Enqueue(ProtocolFrames.Pong);
                return;
            case ClientFrame.Types.Subscribe:
                await SubscribeAsync(connection, frame);
                return;
            case ClientFrame.Types.Unsubscribe:
                Unsubscribe(connection, frame);
                return;
            default:
                connection.Enqueue(ProtocolFrames.Error(ServerFrame.ErrorCodes.BadFrame,
                    "expected a JSON object with type subscribe, unsubscribe or ping"));
                return;
        }
    }

    private static async Task SubscribeAsync(Connection connection, ClientFrame frame)
    {
        var id = frame.WorkflowId;
        if (!WorkflowIds.IsValid(id))
        {
            connection.Enqueue(ProtocolFrames.Error(ServerFrame.ErrorCodes.BadFrame, $"workflow_id must be {WorkflowIds.FormatDescription}"));
            return;
        }

        if (frame.After is < 0)
        {
            connection.Enqueue(ProtocolFrames.Error(ServerFrame.ErrorCodes.BadFrame, "after must be 0 or more", id));
            return;
        }

        var result = await connection.Subscriptions.SubscribeAsync(id!, frame.After, enveloped: true, ProtocolFrames.Subscribed(id!));
        if (ErrorOf(result) is { } error)
        {
            connection.Enqueue(ProtocolFrames.Error(error.Code, error.Message, id));
        }
    }

    /// <summary>The error frame's code and message for a subscribe that failed (null: it did not).</summary>
    internal static (string Code, string Message)? ErrorOf(SubscribeResult result) => result switch
    {
        SubscribeResult.Subscribed => null,
        SubscribeResult.NotFound => (ServerFrame.ErrorCodes.NotFound, "workflow not found"),
        SubscribeResult.Forbidden => (ServerFrame.ErrorCodes.Forbidden, "this token does not allow this workflow"),
        SubscribeResult.AlreadySubscribed => (ServerFrame.ErrorCodes.BadFrame, "already subscribed; unsubscribe first to move"),
        SubscribeResult.TooManySubscriptions => (ServerFrame.ErrorCodes.TooManySubscriptions, "this connection watches as many workflows as it may"),
        SubscribeResult.AfterBeyondLatest => (ServerFrame.ErrorCodes.BadFrame, "after is beyond the workflow's latest version"),
        SubscribeResult.Busy => (ServerFrame.ErrorCodes.Unavailable, "too many resumes at once on this gateway; subscribe again after a backoff"),
        _ => (ServerFrame.ErrorCodes.Unavailable, "cannot serve this workflow right now; subscribe again later"),
    };

    private static void Unsubscribe(Connection connection, ClientFrame frame)
    {
        var id = frame.WorkflowId;
        if (!WorkflowIds.IsValid(id) || !connection.Subscriptions.Unsubscribe(id!))
        {
            connection.Enqueue(ProtocolFrames.Error(ServerFrame.ErrorCodes.BadFrame, "not subscribed to that workflow", id));
            return;
        }

        connection.Enqueue(ProtocolFrames.Unsubscribed(id!));
    }
}
