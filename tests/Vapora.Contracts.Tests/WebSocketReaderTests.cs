using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using Vapora.Contracts.WebSockets;

namespace Vapora.Contracts.Tests;

/// <summary>The one WebSocket message reader and the one frame-version reader every Vapora component uses.</summary>
public sealed class WebSocketReaderTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_message_sent_in_fragments_is_read_as_one_whole_message()
    {
        var (client, server) = await ConnectedPairAsync();
        using (client)
        using (server)
        {
            var text = new string('x', 3000);
            var bytes = Encoding.UTF8.GetBytes(text);
            await client.SendAsync(bytes.AsMemory(0, 1000), WebSocketMessageType.Text, endOfMessage: false, Ct);
            await client.SendAsync(bytes.AsMemory(1000, 1500), WebSocketMessageType.Text, endOfMessage: false, Ct);
            await client.SendAsync(bytes.AsMemory(2500), WebSocketMessageType.Text, endOfMessage: true, Ct);
            await client.SendAsync("{}"u8.ToArray(), WebSocketMessageType.Binary, endOfMessage: true, Ct);

            using var reader = new WebSocketMessageReader(server);
            var first = await reader.ReceiveAsync(Ct);
            Assert.Equal((WebSocketMessageType.Text, false, text), (first.Type, first.TooBig, Encoding.UTF8.GetString(first.Bytes.Span)));
            var second = await reader.ReceiveAsync(Ct);
            Assert.Equal((WebSocketMessageType.Binary, "{}"), (second.Type, Encoding.UTF8.GetString(second.Bytes.Span)));
        }
    }

    [Fact]
    public async Task A_message_above_the_limit_ends_the_read_as_too_big_and_a_close_frame_as_close()
    {
        var (client, server) = await ConnectedPairAsync();
        using (client)
        using (server)
        {
            await client.SendAsync(new byte[500], WebSocketMessageType.Text, endOfMessage: true, Ct);
            using var reader = new WebSocketMessageReader(server, maxMessageBytes: 100);

            var big = await reader.ReceiveAsync(Ct);
            Assert.True(big.TooBig);
            Assert.True(big.Bytes.IsEmpty);

            await client.CloseOutputAsync(WebSocketCloseStatus.PolicyViolation, "bye", Ct);
            WebSocketMessage closing;
            do
            {
                closing = await reader.ReceiveAsync(Ct); // the rest of the big message first, then the close
            }
            while (!closing.IsClose);

            Assert.Equal(WebSocketCloseStatus.PolicyViolation, server.CloseStatus);
        }
    }

    [Theory]
    [InlineData("""{"workflow_id":"wf_a","version":7,"status":"running","message":"12345"}""", 7, "12345")]
    [InlineData("""{"type":"update","data":{"workflow_id":"wf_a","version":8,"status":"running","message":null}}""", 8, "")]
    [InlineData("""{"workflow_id":"wf_a","message":"a\"b","version":9}""", 9, "")]
    public void The_version_is_read_from_bare_and_enveloped_frames(string frame, long version, string message)
    {
        Assert.True(UpdateFrameReader.TryRead(Encoding.UTF8.GetBytes(frame), out var read, out var text));
        Assert.Equal((version, message), (read, Encoding.UTF8.GetString(text)));
    }

    [Theory]
    [InlineData("""{"type":"pong"}""")]
    [InlineData("""{"type":"subscribed","workflow_id":"wf_a"}""")]
    [InlineData("""{"version":"7"}""")]
    [InlineData("""{"version":0}""")]
    [InlineData("ping")]
    [InlineData("")]
    public void Frames_without_an_update_have_no_version(string frame)
    {
        Assert.False(UpdateFrameReader.TryReadVersion(Encoding.UTF8.GetBytes(frame), out _));
    }

    /// <summary>A client and a server WebSocket over a real loopback TCP connection.</summary>
    private static async Task<(WebSocket Client, WebSocket Server)> ConnectedPairAsync()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port, Ct);
        var server = await listener.AcceptTcpClientAsync(Ct);
        return (WebSocket.CreateFromStream(client.GetStream(), new WebSocketCreationOptions { IsServer = false }),
            WebSocket.CreateFromStream(server.GetStream(), new WebSocketCreationOptions { IsServer = true }));
    }
}
