using System.Diagnostics;
using System.Text.Json;
using Vapora.Contracts;
using Vapora.Testing;

namespace Vapora.Security.Tests;

/// <summary>
/// In-band token refresh on both socket kinds (<c>{"type":"token"}</c> → <c>token_accepted</c> or an unauthorized
/// error) and the <c>token_expiring</c> notice, against a real gateway (tokens that outlive a timer's range: the probe suite).
/// </summary>
public sealed class TokenRefreshTests(SecuredFixture fixture) : IClassFixture<SecuredFixture>
{
    private static readonly TimeSpan Short = TimeSpan.FromSeconds(6);

    private Uri Stream(string id, string token) => fixture.Gateway.WebSocketUrl($"/api/workflows/{id}/updates?access_token={token}");

    private Uri Multiplex(string token) => fixture.Gateway.WebSocketUrl($"/ws?access_token={token}");

    private static string TokenFrame(string token) => $$"""{"type":"token","token":"{{token}}"}""";

    [Fact]
    public async Task Sockets_of_both_kinds_with_6s_tokens_refreshed_every_3s_stay_open_for_30s_and_get_every_version_once_in_order()
    {
        var api = fixture.ClientWith(fixture.AdminToken);
        var id = (await api.CreateAsync(totalSteps: 1000)).WorkflowId;
        var read = () => fixture.Tokens.Create(workflows: [id], lifetime: Short);
        await using var stream = await TestSocket.ConnectAsync(Stream(id, read()));
        await using var multiplex = await TestSocket.ConnectAsync(Multiplex(read()));
        await multiplex.SendAsync($$"""{"type":"subscribe","workflow_id":"{{id}}"}""");
        var seenStream = new List<long>();
        var seenMultiplex = new List<long>();
        await ExpectVersionAsync(stream, seenStream);
        Assert.Equal("subscribed", (await multiplex.NextJsonAsync()).GetProperty("type").GetString());
        await ExpectVersionAsync(multiplex, seenMultiplex);

        var clock = Stopwatch.StartNew();
        var step = 0;
        while (clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            await stream.SendAsync(TokenFrame(read()));
            await multiplex.SendAsync(TokenFrame(read()));
            var refreshed = clock.Elapsed;
            var accepted = (Stream: false, Multiplex: false);
            using var cadence = new PeriodicTimer(TimeSpan.FromMilliseconds(250)); // the producer's pace, not a wait for a result
            while (clock.Elapsed - refreshed < TimeSpan.FromSeconds(3) && await cadence.WaitForNextTickAsync(TestContext.Current.CancellationToken))
            {
                await api.ProgressAsync(id, ++step);
                accepted.Stream |= Drain(stream, seenStream);
                accepted.Multiplex |= Drain(multiplex, seenMultiplex);
            }

            Assert.True(accepted.Stream && accepted.Multiplex, $"token_accepted on both sockets (stream {accepted.Stream}, /ws {accepted.Multiplex})");
        }

        var latest = step + 1;
        await Poll.UntilAsync(() =>
        {
            Drain(stream, seenStream);
            Drain(multiplex, seenMultiplex);
            return seenStream[^1] == latest && seenMultiplex[^1] == latest;
        }, TimeSpan.FromSeconds(10), $"version {latest} on both sockets");
        Assert.Equal(Enumerable.Range(1, latest).Select(v => (long)v), seenStream);
        Assert.Equal(Enumerable.Range(1, latest).Select(v => (long)v), seenMultiplex);
        Assert.False(stream.Closed.IsCompleted);
        Assert.False(multiplex.Closed.IsCompleted);
        var metrics = await fixture.Gateway.MetricsAsync();
        Assert.True(metrics.Value("vapora_gateway_token_refreshes_total", "result=\"accepted\"") >= 20);
    }

    [Fact]
    public async Task Bad_tokens_get_an_unauthorized_error_and_change_nothing_the_old_expiry_still_closes_the_socket()
    {
        var api = fixture.ClientWith(fixture.AdminToken);
        var id = (await api.CreateAsync()).WorkflowId;
        string[] bad =
        [
            .. new[] { "expired", "wrong signature", "wrong audience", "wrong issuer", "alg none", "tampered payload", "garbage" }
                .Select(kind => RestAuthorizationTests.BadToken(fixture.Tokens, kind)),
            fixture.Tokens.Create(workflows: [id], subject: "someone-else"),
            "",
        ];
        await using var socket = await TestSocket.ConnectAsync(Multiplex(fixture.Tokens.Create(workflows: [id], lifetime: TimeSpan.FromSeconds(5))));
        await socket.SendAsync($$"""{"type":"subscribe","workflow_id":"{{id}}"}""");
        Assert.Equal("subscribed", (await socket.NextJsonAsync()).GetProperty("type").GetString());
        Assert.Equal(1, (await socket.ReadVersionsAsync(1))[0]);

        foreach (var token in bad)
        {
            await socket.SendAsync(TokenFrame(token));
            var error = await socket.NextJsonAsync();
            Assert.Equal(("error", "unauthorized"), (error.GetProperty("type").GetString(), error.GetProperty("code").GetString()));
            Assert.Contains("current token stands", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        }

        await api.ProgressAsync(id, 1);
        Assert.Equal(2, (await socket.ReadVersionsAsync(1))[0]);
        Assert.Equal("token_expiring", (await socket.NextJsonAsync()).GetProperty("type").GetString());
        Assert.Equal(CloseReason.TokenExpired.Code, await socket.WaitClosedAsync(TimeSpan.FromSeconds(8)));
        Assert.Contains("expired", socket.CloseDescription, StringComparison.Ordinal);
        var refused = (await fixture.Gateway.MetricsAsync()).Value("vapora_gateway_token_refreshes_total", "result=\"refused\"");
        Assert.True(refused >= bad.Length, $"{refused} refusals counted");
    }

    [Fact]
    public async Task A_refresh_that_drops_one_of_three_workflows_ends_only_that_one_and_the_others_go_on()
    {
        var api = fixture.ClientWith(fixture.AdminToken);
        string[] ids = [(await api.CreateAsync("A")).WorkflowId, (await api.CreateAsync("B")).WorkflowId, (await api.CreateAsync("C")).WorkflowId];
        await using var socket = await TestSocket.ConnectAsync(Multiplex(fixture.Tokens.Create(workflows: ids)));
        foreach (var id in ids)
        {
            await socket.SendAsync($$"""{"type":"subscribe","workflow_id":"{{id}}"}""");
            Assert.Equal("subscribed", (await socket.NextJsonAsync()).GetProperty("type").GetString());
            Assert.Equal(1, (await socket.ReadVersionsAsync(1))[0]);
        }

        await socket.SendAsync(TokenFrame(fixture.Tokens.Create(workflows: [ids[0], ids[2]])));
        var error = await socket.NextJsonAsync();
        var unsubscribed = await socket.NextJsonAsync();
        var accepted = await socket.NextJsonAsync();
        foreach (var id in ids)
        {
            await api.ProgressAsync(id, 1);
        }

        Assert.Equal(("error", "forbidden", ids[1]), (error.GetProperty("type").GetString(), error.GetProperty("code").GetString(), error.GetProperty("workflow_id").GetString()));
        Assert.Equal(("unsubscribed", ids[1]), (unsubscribed.GetProperty("type").GetString(), unsubscribed.GetProperty("workflow_id").GetString()));
        Assert.Equal("token_accepted", accepted.GetProperty("type").GetString());
        Assert.True(accepted.GetProperty("expires_at").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddMinutes(50));
        var updates = new[] { JsonDocument.Parse(await socket.NextAsync()).RootElement, JsonDocument.Parse(await socket.NextAsync()).RootElement };
        Assert.Equal([ids[0], ids[2]], updates.Select(u => u.GetProperty("data").GetProperty("workflow_id").GetString()).Order());
        Assert.All(updates, u => Assert.Equal(2, u.GetProperty("data").GetProperty("version").GetInt64()));
        Assert.False(socket.TryNext(out var extra), "nothing of the dropped workflow: " + extra);
    }

    [Fact]
    public async Task A_stream_whose_refreshed_token_no_longer_allows_its_workflow_closes_with_4403_and_a_token_that_may_read_nothing_closes_a_ws()
    {
        var api = fixture.ClientWith(fixture.AdminToken);
        var id = (await api.CreateAsync()).WorkflowId;
        var other = (await api.CreateAsync()).WorkflowId;
        await using var stream = await TestSocket.ConnectAsync(Stream(id, fixture.Tokens.Create(workflows: [id])));
        await using var multiplex = await TestSocket.ConnectAsync(Multiplex(fixture.Tokens.Create(workflows: [id])));
        Assert.Equal(1, (await stream.ReadVersionsAsync(1))[0]);

        await stream.SendAsync(TokenFrame(fixture.Tokens.Create(workflows: [other])));
        await multiplex.SendAsync(TokenFrame(fixture.Tokens.Create()));

        Assert.Equal(CloseReason.Forbidden.Code, await stream.WaitClosedAsync());
        Assert.Equal(CloseReason.Forbidden.Code, await multiplex.WaitClosedAsync());
        Assert.Contains("may read no workflow", multiplex.CloseDescription, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Both_socket_kinds_are_told_token_expiring_before_expiry_and_a_refresh_answers_the_new_expiry()
    {
        var id = (await fixture.ClientWith(fixture.AdminToken).CreateAsync()).WorkflowId;
        var token = fixture.Tokens.Create(workflows: [id], lifetime: TimeSpan.FromSeconds(5));
        var exp = DateTimeOffset.FromUnixTimeSeconds(new Microsoft.IdentityModel.JsonWebTokens.JsonWebToken(token).GetPayloadValue<long>("exp"));
        await using var stream = await TestSocket.ConnectAsync(Stream(id, token));
        await using var multiplex = await TestSocket.ConnectAsync(Multiplex(token));
        Assert.Equal(1, (await stream.ReadVersionsAsync(1))[0]);

        // At most a fifth of the 5-s lifetime before expiry: about 1 s before.
        var streamNotice = await stream.NextJsonAsync(TimeSpan.FromSeconds(6));
        var multiplexNotice = await multiplex.NextJsonAsync(TimeSpan.FromSeconds(6));
        Assert.All([streamNotice, multiplexNotice], n => Assert.Equal(("token_expiring", exp), (n.GetProperty("type").GetString(), n.GetProperty("expires_at").GetDateTimeOffset())));
        Assert.True(DateTimeOffset.UtcNow < exp, "the notice came before expiry");

        var fresh = fixture.Tokens.Create(workflows: [id]);
        await stream.SendAsync(TokenFrame(fresh));
        var accepted = await stream.NextJsonAsync();
        Assert.Equal("token_accepted", accepted.GetProperty("type").GetString());
        Assert.True(accepted.GetProperty("expires_at").GetDateTimeOffset() > exp.AddMinutes(50));
        Assert.Equal(CloseReason.TokenExpired.Code, await multiplex.WaitClosedAsync(TimeSpan.FromSeconds(5)));
        await Task.Delay(TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken);
        Assert.False(stream.Closed.IsCompleted, "the refreshed stream outlives the first token");
    }

    private static async Task ExpectVersionAsync(TestSocket socket, List<long> seen) =>
        seen.Add((await socket.ReadVersionsAsync(1))[0]);

    /// <summary>Takes every frame already there: versions into <paramref name="seen"/>; true if a token_accepted was among them.</summary>
    private static bool Drain(TestSocket socket, List<long> seen)
    {
        var accepted = false;
        while (socket.TryNext(out var frame))
        {
            var json = JsonDocument.Parse(frame).RootElement;
            var type = json.TryGetProperty("type", out var t) ? t.GetString() : null;
            if (type == "token_accepted")
            {
                accepted = true;
            }
            else if (type is null or "update")
            {
                seen.Add((type is null ? json : json.GetProperty("data")).GetProperty("version").GetInt64());
            }
            else if (type != "token_expiring")
            {
                throw new InvalidDataException("Unexpected frame: " + frame);
            }
        }

        return accepted;
    }
}
