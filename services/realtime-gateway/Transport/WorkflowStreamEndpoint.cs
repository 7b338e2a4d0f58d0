using System.Globalization;
using Microsoft.AspNetCore.WebUtilities;
using Vapora.Contracts;
using Vapora.RealtimeGateway.Connections;

namespace Vapora.RealtimeGateway.Transport;

/// <summary>
/// <c>GET /api/workflows/{id}/updates</c> as a WebSocket: one workflow's updates as text frames, the current state
/// first, or with <c>?after=N</c> every version after N first. Problems end the socket with a close code
/// (<see cref="CloseReason"/>), which every client, browsers included, can see.
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
        else if (after.Count > 1 || (after.Count == 1 && !TryParseVersion(after[0], out afterVersion)))
        {
            problem = "after must be one integer version of 0 or more";
        }

        return acceptor.RunAsync(http, OnMessage, connection => problem is null
            ? StartAsync(connection, id, afterVersion)
            : CloseAsync(connection, CloseReason.BadRequest(problem)));
    }

    private static async Task StartAsync(Connection connection, string id, long? after)
    {
        var result = await connection.Subscriptions.SubscribeAsync(id, after, enveloped: false, subscribedFrame: null);
        if (CloseReasonOf(result) is { } reason)
        {
            connection.Close(reason);
        }
    }

    /// <summary>How a single-workflow stream ends when its subscribe fails (null: it did not).</summary>
    internal static CloseReason? CloseReasonOf(SubscribeResult result) => result switch
    {
        SubscribeResult.Subscribed => null,
        SubscribeResult.NotFound => CloseReason.NotFound,
        SubscribeResult.Forbidden => CloseReason.Forbidden,
        SubscribeResult.AfterBeyondLatest => CloseReason.BadRequest("after is beyond the workflow's latest version"),
        // A reconnect storm: too many catch-ups at once here; resume after a backoff (on any replica).
        SubscribeResult.Busy => CloseReason.CatchUpBusy,
        // Redis or the API is unreachable right now: resume later (possibly on another replica).
        _ => CloseReason.CatchUpFailed,
    };

    private static Task CloseAsync(Connection connection, CloseReason reason)
    {
        connection.Close(reason);
        return Task.CompletedTask;
    }

    // The stream is read-only: only an application ping is accepted (protocol pings are answered by the socket itself).
    private static Task OnMessage(Connection connection, ReadOnlyMemory<byte> message)
    {
        if (ProtocolFrames.IsPing(message.Span))
        {
            connection.Enqueue(ProtocolFrames.Pong);
        }
        else
        {
            connection.Close(CloseReason.BadRequest("this stream accepts only {\"type\":\"ping\"}; use /ws to subscribe"));
        }

        return Task.CompletedTask;
    }

    internal static bool TryParseVersion(string? value, out long? version)
    {
        version = null;
        if (long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
        {
            version = parsed;
            return true;
        }

        return false;
    }
}
