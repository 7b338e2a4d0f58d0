using System.Net.WebSockets;
using System.Text.Json;
using Vapora.Bench.Cli;
using Vapora.Bench.Measurement;
using Vapora.Contracts;
using Vapora.Contracts.Protocol;

namespace Vapora.Bench.Clients;

/// <summary>
/// One client's token (<see cref="TokenPlan"/>): its subject (one per client, as one per user: the gateway limits
/// connections per subject), the token each connection opens with, and, with in-band renewal, a fresh token sent on the
/// open socket when the gateway warns with <c>token_expiring</c>, as Vapora.Client and the JS client do.
/// </summary>
internal sealed class ClientToken(TokenPlan plan, TokenTally tally)
{
    private readonly string _subject = "bench-" + Guid.NewGuid().ToString("N");
    private bool _opened;

    /// <summary>Puts a token on the next connection: the staggered first one, then a fresh one per reconnect.</summary>
    public void Authorize(ClientWebSocket socket)
    {
        var token = _opened ? plan.Fresh(_subject) : plan.First(_subject);
        _opened = true;
        socket.Options.SetRequestHeader("Authorization", "Bearer " + token);
    }

    /// <summary>True when the close ends only this connection: an expired token is renewed by reconnecting with a fresh one.</summary>
    public static bool IsExpiry(int? closeCode) => closeCode == CloseReason.TokenExpired.Code;

    /// <summary>A frame that is not an update: counts the token frames and answers the notice. False for anything else.</summary>
    public async ValueTask<bool> OnControlFrameAsync(WebSocket socket, ReadOnlyMemory<byte> frame, CancellationToken cancellationToken)
    {
        ServerFrame? parsed;
        try
        {
            parsed = JsonSerializer.Deserialize(frame.Span, VaporaJsonContext.Default.ServerFrame);
        }
        catch (JsonException)
        {
            return false;
        }

        switch (parsed?.Type)
        {
            case ServerFrame.Types.TokenExpiring:
                tally.ExpiringNotice();
                if (plan.Renewal == TokenRenewal.Inband)
                {
                    var refresh = JsonSerializer.SerializeToUtf8Bytes(new ClientFrame { Type = ClientFrame.Types.Token, Token = plan.Fresh(_subject) },
                        VaporaJsonContext.Default.ClientFrame);
                    await socket.SendAsync(refresh, WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
                    tally.RefreshSent();
                }

                return true;
            case ServerFrame.Types.TokenAccepted:
                tally.RefreshAccepted();
                return true;
            case ServerFrame.Types.Error when parsed.WorkflowId is null:
                tally.RefreshRefused();
                return true;
            default:
                return false;
        }
    }

    /// <summary>The connection ended (the close code if the server sent one).</summary>
    public void OnClosed(int? closeCode) => tally.Closed(IsExpiry(closeCode));

    /// <summary>A new connection replaced the one that ended.</summary>
    public void OnReconnected() => tally.Reconnected();
}
