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

    /// <summary>True for the application-level ping: <c>{"type":"ping"}</c> or the bare text <c>ping</c>.</summary>
    public static bool IsPing(ReadOnlySpan<byte> message)
    {
        var trimmed = message.Trim(" \t\r\n"u8);
        if (trimmed.SequenceEqual("ping"u8))
        {
            return true;
        }

        try
        {
            var frame = JsonSerializer.Deserialize(trimmed, VaporaJsonContext.Default.ClientFrame);
            return frame is { Type: ClientFrame.Types.Ping, WorkflowId: null, After: null };
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static byte[] Encode(ServerFrame frame) => JsonSerializer.SerializeToUtf8Bytes(frame, VaporaJsonContext.Default.ServerFrame);
}
