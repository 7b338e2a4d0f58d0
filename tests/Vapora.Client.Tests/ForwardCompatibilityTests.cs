using System.Globalization;
using System.Net.WebSockets;
using System.Text.Json;
using Vapora.Contracts;
using Vapora.Testing;

namespace Vapora.Client.Tests;

/// <summary>
/// What a newer gateway or a proxy may send this client: close codes it does not know are drops to resume from (and
/// the JavaScript client decides every code the same way), statuses it does not know are passed on by name.
/// </summary>
public sealed class ForwardCompatibilityTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(4500)]
    [InlineData(4123)]
    [InlineData(3000)]
    [InlineData(1000)]
    public async Task A_close_code_this_client_does_not_know_is_a_drop_to_resume_from(int code)
    {
        await using var gateway = new ScriptedGateway(async (connection, socket) =>
        {
            if (connection == 0)
            {
                await ScriptedGateway.SendAsync(socket, ScriptedGateway.Update("wf_a", 1, "running", name: "build"));
                await socket.CloseOutputAsync((WebSocketCloseStatus)code, "from a newer gateway", CancellationToken.None);
                return;
            }

            // A status this version does not know, then a terminal one.
            await ScriptedGateway.SendAsync(socket, ScriptedGateway.Update("wf_a", 2, "paused"));
            await ScriptedGateway.SendAsync(socket, ScriptedGateway.Update("wf_a", 3, "completed"));
        });
        var stream = Client(gateway.BaseUrl).Watch("wf_a");

        var received = new List<WorkflowUpdate>();
        await foreach (var update in stream.ReadAllAsync(Ct))
        {
            received.Add(update);
            if (update.Version == 3)
            {
                break;
            }
        }

        Assert.Equal([(1L, "running"), (2L, "paused"), (3L, "completed")], received.Select(u => (u.Version, u.Status.ToWireName())));
        Assert.False(received[1].Status.IsKnown());
        Assert.EndsWith("after=1", gateway.Requests[1], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(4450)]
    [InlineData(4404)]
    [InlineData(1008)]
    public async Task A_code_of_the_give_up_range_ends_the_stream_without_a_retry(int code)
    {
        await using var gateway = new ScriptedGateway(async (_, socket) =>
            await socket.CloseOutputAsync((WebSocketCloseStatus)code, "refused", CancellationToken.None));

        var error = await Assert.ThrowsAsync<WorkflowStreamClosedException>(async () =>
        {
            await foreach (var _ in Client(gateway.BaseUrl).Watch("wf_a").ReadAllAsync(Ct))
            {
            }
        });

        Assert.Equal(code, error.CloseCode);
        Assert.Single(gateway.Requests);
    }

    [Fact]
    public async Task The_dotnet_and_javascript_clients_decide_every_close_code_alike()
    {
        var codes = Enumerable.Range(1000, 4000).ToArray();
        var module = new Uri(Path.Combine(RepositoryPaths.Root, "clients", "js", "src", "close-codes.js")).AbsoluteUri;
        var script = $"import('{module}').then(m => console.log(JSON.stringify({JsonSerializer.Serialize(codes)}.map(c => m.isGiveUpCode(c)))))";

        var (exitCode, output) = await ToolRun.RunAsync("node", ["-e", script]);

        Assert.True(exitCode == 0, output);
        var giveUp = JsonSerializer.Deserialize<bool[]>(output)!;
        var disagreements = codes.Where((code, i) => giveUp[i] == CloseReason.ShouldResume(code)).ToList();
        Assert.True(disagreements.Count == 0, "They decide differently on " + string.Join(", ", disagreements.Select(c => c.ToString(CultureInfo.InvariantCulture))));
    }

    private static WorkflowStreamClient Client(Uri baseUrl) => new(new WorkflowClientOptions
    {
        BaseUrl = baseUrl,
        Transports = [StreamTransport.WebSocket],
        InitialBackoff = TimeSpan.FromMilliseconds(50),
        MaxBackoff = TimeSpan.FromMilliseconds(200),
        MaxReconnectAttempts = 5,
    });
}
