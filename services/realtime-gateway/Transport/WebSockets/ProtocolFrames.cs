using System.Text;
using System.Text.Json;
using Vapora.Contracts;
using Vapora.Contracts.Protocol;
using Vapora.RealtimeGateway.Connections;

namespace Vapora.RealtimeGateway.Transport.WebSockets;

/// <summary>Encoded control frames of both socket protocols.</summary>
internal static class ProtocolFrames
{
    public static readonly ReadOnlyMemory<byte> Pong = Encoding.UTF8.GetBytes("{\"type\":\"pong\"}");

    public static ReadOnlyMemory<byte> Subscribed(string workflowId) =>
        Encode(new ServerFrame { Type = ServerFrame.Types.Subscribed, WorkflowId = workflowId });

    public static ReadOnlyMemory<byte> Unsubscribed(string workflowId) =>
        Encode(new ServerFrame { Type = ServerFrame.Types.Unsubscribed, WorkflowId = workflowId });

    public static ReadOnlyMemory<byte> Error(string code, string message, string? workflowId = null) =>
        Encode(new ServerFrame { Type = ServerFrame.Types.Error, Code = code, Message = message, WorkflowId = workflowId });

    /// <summary>The error frame of a multiplexed connection for a workflow it could not subscribe.</summary>
    public static ReadOnlyMemory<byte> Error(SubscribeResult result, string workflowId) =>
        Error(result.ErrorCode ?? ServerFrame.ErrorCodes.Unavailable, result.ErrorMessage ?? result.ToString(), workflowId);

    public static ReadOnlyMemory<byte> TokenAccepted(DateTimeOffset? expiresAt) =>
        Encode(new ServerFrame { Type = ServerFrame.Types.TokenAccepted, ExpiresAt = expiresAt });

    public static ReadOnlyMemory<byte> TokenExpiring(DateTimeOffset expiresAt) =>
        Encode(new ServerFrame { Type = ServerFrame.Types.TokenExpiring, ExpiresAt = expiresAt });

    /// <summary>The client frame in <paramref name="message"/>, or null when it is not one (not JSON, unknown members).</summary>
    public static ClientFrame? Parse(ReadOnlySpan<byte> message)
    {
        try
        {
            return JsonSerializer.Deserialize(message, VaporaJsonContext.Default.ClientFrame);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// Answers an in-band token (<c>{"type":"token","token":"…"}</c>, both socket kinds): <c>token_accepted</c>, or an
    /// error frame when it was refused (nothing changed). The workflows the new token no longer allows are in the result,
    /// for the endpoint to end its own way.
    /// </summary>
    public static async Task<TokenRefreshResult> RefreshTokenAsync(Connection connection, ClientFrame frame)
    {
        var result = await connection.Grant.RefreshAsync(frame.Token);
        if (!result.IsAccepted)
        {
            connection.EnqueueControl(Error(result.ErrorCode!, result.ErrorMessage!));
        }

        return result;
    }

    /// <summary>True for the application-level ping: <c>{"type":"ping"}</c> or the bare text <c>ping</c>.</summary>
    public static bool IsPing(ReadOnlySpan<byte> message)
    {
        var trimmed = message.Trim(" \t\r\n"u8);
        if (trimmed.SequenceEqual("ping"u8))
        {
            return true;
        }

        return Parse(trimmed) is { Type: ClientFrame.Types.Ping, WorkflowId: null, After: null, Token: null };
    }

    private static byte[] Encode(ServerFrame frame) => JsonSerializer.SerializeToUtf8Bytes(frame, VaporaJsonContext.Default.ServerFrame);
}
