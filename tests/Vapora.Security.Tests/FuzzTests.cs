using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.WebSockets;
using System.Text;
using StackExchange.Redis;
using Vapora.Contracts;
using Vapora.Testing;

namespace Vapora.Security.Tests;

/// <summary>
/// Random and mutated input against real processes (authentication on): no 5xx, no crash, and the workflows that
/// existed before are byte-identical after. Counts go to artifacts/fuzz-results.md.
/// </summary>
public sealed class FuzzTests(FuzzFixture fixture, ITestOutputHelper output) : IClassFixture<FuzzFixture>
{
    private const int RestRequests = 10_000;
    private const int FramesPerSocketEndpoint = 10_000;
    private const int EventStreamRequests = 4_000;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Ten_thousand_random_rest_requests_get_no_5xx_and_change_nothing_stored()
    {
        var before = await fixture.SnapshotAsync();
        var statuses = new ConcurrentDictionary<int, int>();
        var seed = Environment.TickCount;
        await Parallel.ForEachAsync(Enumerable.Range(0, 8), Ct, async (worker, ct) =>
        {
            var fuzz = new FuzzInput(seed + worker);
            for (var i = 0; i < RestRequests / 8; i++)
            {
                using var request = fixture.RandomRestRequest(fuzz);
                using var response = await fixture.Api.Http.SendAsync(request, ct);
                statuses.AddOrUpdate((int)response.StatusCode, 1, (_, n) => n + 1);
            }
        });

        Report("REST", seed, RestRequests, statuses);
        Assert.DoesNotContain(statuses.Keys, s => s >= 500);
        Assert.False(fixture.Api.HasExited);
        Assert.Equal(before, await fixture.SnapshotAsync());
    }

    [Fact]
    public async Task Ten_thousand_random_frames_on_the_multiplexed_socket_get_answers_not_crashes()
    {
        var before = await fixture.SnapshotAsync();
        var outcomes = new ConcurrentDictionary<int, int>();
        var seed = Environment.TickCount;
        var fuzz = new FuzzInput(seed);
        RawWebSocket? socket = null;
        for (var i = 0; i < FramesPerSocketEndpoint; i++)
        {
            socket ??= await RawWebSocket.ConnectAsync(fixture.Gateway.WebSocketUrl("/ws?access_token=" + fixture.AdminToken));
            var closed = await SendAndProbeAsync(socket, fixture.RandomMultiplexFrame(fuzz));
            outcomes.AddOrUpdate(closed ?? 0, 1, (_, n) => n + 1);
            if (closed is not null)
            {
                await socket.DisposeAsync();
                socket = null;
            }
        }

        if (socket is not null)
        {
            await socket.DisposeAsync();
        }

        Report("/ws frames (0 = socket stayed open; -1 = reset after the server closed; others = close code)", seed, FramesPerSocketEndpoint, outcomes);
        Assert.DoesNotContain(outcomes.Keys, code => code is 1011);
        Assert.Equal(before, await fixture.SnapshotAsync());
        await AssertGatewayServesAsync();
    }

    [Fact]
    public async Task Ten_thousand_random_frames_on_the_single_workflow_stream_end_in_clear_close_codes()
    {
        var before = await fixture.SnapshotAsync();
        var outcomes = new ConcurrentDictionary<int, int>();
        var seed = Environment.TickCount;
        await Parallel.ForEachAsync(Enumerable.Range(0, 8), Ct, async (worker, ct) =>
        {
            var fuzz = new FuzzInput(seed + worker);
            RawWebSocket? socket = null;
            for (var i = 0; i < FramesPerSocketEndpoint / 8; i++)
            {
                if (socket is null)
                {
                    try
                    {
                        socket = await RawWebSocket.ConnectAsync(fixture.Gateway.WebSocketUrl(fixture.RandomStreamPath(fuzz)));
                    }
                    catch (UpgradeRefusedException refused)
                    {
                        // Refused before the upgrade (a URL Kestrel will not parse): an HTTP status, recorded as such.
                        outcomes.AddOrUpdate(refused.StatusCode, 1, (_, n) => n + 1);
                        continue;
                    }
                }

                var closed = await SendAndProbeAsync(socket, fixture.RandomStreamFrame(fuzz));
                outcomes.AddOrUpdate(closed ?? 0, 1, (_, n) => n + 1);
                if (closed is not null)
                {
                    await socket.DisposeAsync();
                    socket = null;
                }
            }

            if (socket is not null)
            {
                await socket.DisposeAsync();
            }
        });

        Report("/api/workflows/{id}/updates frames (0 = socket stayed open; 4xx below 1000 = HTTP status before the upgrade; -1 = reset after the server closed; others = close code)", seed, FramesPerSocketEndpoint, outcomes);
        Assert.DoesNotContain(outcomes.Keys, code => code is 1011 || code is >= 500 and < 1000);
        Assert.Equal(before, await fixture.SnapshotAsync());
        await AssertGatewayServesAsync();
    }

    [Fact]
    public async Task Random_event_stream_requests_get_a_stream_or_a_clear_4xx_and_change_nothing()
    {
        var before = await fixture.SnapshotAsync();
        var statuses = new ConcurrentDictionary<int, int>();
        var odd = new ConcurrentBag<string>();
        var seed = Environment.TickCount;
        await Parallel.ForEachAsync(Enumerable.Range(0, 8), Ct, async (worker, ct) =>
        {
            var fuzz = new FuzzInput(seed + worker);
            for (var i = 0; i < EventStreamRequests / 8; i++)
            {
                using var request = fixture.RandomEventStreamRequest(fuzz);
                using var response = await fixture.Gateway.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
                var status = (int)response.StatusCode;
                if (status == 200 && response.Content.Headers.ContentType?.MediaType != "text/event-stream")
                {
                    status = -200;
                }
                else if (status is >= 400 and < 500 && response.Content.Headers.ContentType?.MediaType != "application/problem+json"
                    && !RefusedByKestrel(request, status))
                {
                    status = -status;
                }

                // A stream is dropped at once, as a client that goes away: the gateway must let go of it.
                statuses.AddOrUpdate(status, 1, (_, n) => n + 1);
                if (status < 0 && odd.Count < 5)
                {
                    odd.Add($"{request.RequestUri} Last-Event-ID={string.Join('|', request.Headers.TryGetValues("Last-Event-ID", out var v) ? v : [])[..Math.Min(80, string.Join('|', v ?? []).Length)]} -> {(int)response.StatusCode} {response.Content.Headers.ContentType}");
                }
            }
        });

        Report("event streams (status; negative = wrong content type for it; Kestrel's bare 400 for a NUL in the path and 414/431 beyond its request line and header limits)", seed, EventStreamRequests, statuses);
        Assert.True(!statuses.Keys.Any(s => s >= 500 || s < 0), string.Join("\n", odd));
        Assert.Contains(200, statuses.Keys);
        Assert.Equal(before, await fixture.SnapshotAsync());
        await Poll.ForAsync(fixture.Gateway.MetricsAsync, m => m.Value("vapora_gateway_connections") == 0, TimeSpan.FromSeconds(30), "every dropped stream to be released");
        await AssertGatewayServesAsync();
    }

    // Kestrel answers these itself, with a bare status and no body, before any of the gateway's code runs: a NUL in
    // the path (400), a request line over 8 KiB (414), headers over 32 KiB (431). The fuzzer's mutated lists reach them.
    private static bool RefusedByKestrel(HttpRequestMessage request, int status) =>
        status is (int)HttpStatusCode.RequestUriTooLong or (int)HttpStatusCode.RequestHeaderFieldsTooLarge
        || request.RequestUri!.OriginalString.Contains("%00", StringComparison.Ordinal);

    [Fact]
    public async Task Truncated_frames_and_dropped_connections_leak_nothing()
    {
        for (var i = 0; i < 200; i++)
        {
            var socket = await RawWebSocket.ConnectAsync(fixture.Gateway.WebSocketUrl("/ws?access_token=" + fixture.AdminToken));
            // A header announcing 1,000 bytes, then 10 of them, then the TCP connection drops.
            await socket.SendFrameAsync(RawWebSocket.Text, new byte[1000].AsMemory(), fin: i % 2 == 0);
            socket.Abort();
            await socket.DisposeAsync();
        }

        await Poll.ForAsync(fixture.Gateway.MetricsAsync, m => m.Value("vapora_gateway_connections") == 0, TimeSpan.FromSeconds(30), "every aborted connection to be released");
        await AssertGatewayServesAsync();
        Report("truncated frames + dropped TCP", 0, 200, new ConcurrentDictionary<int, int>(new Dictionary<int, int> { [0] = 200 }));
    }

    [Fact]
    public async Task Two_thousand_garbage_messages_on_a_watched_channel_are_dropped_and_the_next_valid_update_arrives()
    {
        var created = await fixture.Admin.CreateAsync();
        await using var socket = await TestSocket.ConnectAsync(fixture.Gateway.WebSocketUrl($"/api/workflows/{created.WorkflowId}/updates?access_token={fixture.AdminToken}"));
        await socket.NextAsync();
        var redis = await fixture.Redis.AdminAsync();
        var channel = RedisChannel.Literal(WorkflowChannels.NameFor(created.WorkflowId));
        var fuzz = new FuzzInput(Environment.TickCount);
        var valid = $$"""{"workflow_id":"{{created.WorkflowId}}","version":2,"status":"running","current_step":1,"total_steps":100,"message":null,"timestamp":"2026-01-01T00:00:00.000Z"}""";
        var published = 0;
        for (var i = 0; i < 2000; i++)
        {
            var garbage = fuzz.Random.Next(4) == 0 ? fuzz.RandomText(fuzz.Random.Next(1, 300)) : fuzz.Mutate(valid);
            // A mutation that is still a well-formed update of this workflow is a forgery, not garbage: nothing on the
            // channel can tell it from the real one (Redis is trusted; lock PUBLISH down with ACLs), so it is not sent.
            if (!WorkflowUpdateHeader.TryRead(Encoding.UTF8.GetBytes(garbage), out var header) || header.WorkflowId != created.WorkflowId)
            {
                await redis.GetSubscriber().PublishAsync(channel, garbage);
                published++;
            }
        }

        await redis.GetSubscriber().PublishAsync(channel, new string('{', 100_000));

        var applied = await fixture.Admin.ProgressAsync(created.WorkflowId, 7, "after the garbage");

        var frame = await socket.NextJsonAsync(TimeSpan.FromSeconds(20));
        Report("garbage on a watched backplane channel (published of 2000; mutations still a well-formed update are not sent)", 0, 2000,
            new ConcurrentDictionary<int, int>(new Dictionary<int, int> { [0] = published }));
        Assert.True(published > 1500, $"only {published} garbage messages were sent");
        Assert.Equal(applied.Version, frame.GetProperty("version").GetInt64());
        Assert.Equal("after the garbage", frame.GetProperty("message").GetString());
        Assert.False(fixture.Gateway.HasExited);
    }

    private async Task AssertGatewayServesAsync()
    {
        Assert.False(fixture.Gateway.HasExited);
        Assert.False(fixture.Api.HasExited);
        var created = await fixture.Admin.CreateAsync();
        await using var socket = await TestSocket.ConnectAsync(fixture.Gateway.WebSocketUrl($"/api/workflows/{created.WorkflowId}/updates?access_token={fixture.AdminToken}"));
        Assert.Equal(1, (await socket.NextJsonAsync()).GetProperty("version").GetInt64());
    }

    /// <summary>Sends the fuzzed frame and a ping; null when the socket is still open, else the close code (-1: reset).</summary>
    private static async Task<int?> SendAndProbeAsync(RawWebSocket socket, (byte Opcode, byte[] Payload) frame)
    {
        try
        {
            await socket.SendFrameAsync(frame.Opcode, frame.Payload);
            await socket.SendTextAsync("""{"type":"ping"}""");
        }
        catch (IOException)
        {
            // The server closed on the frame (too big, binary) and reset the rest: read its close frame if it got through.
            var closed = await ReadUntilPongOrCloseAsync(socket);
            return closed is null or 1006 ? -1 : closed;
        }

        var outcome = await ReadUntilPongOrCloseAsync(socket);
        return outcome == 1006 ? -1 : outcome;
    }

    /// <summary>Reads until the pong that follows the fuzzed frame (null) or a close (its code).</summary>
    private static async Task<int?> ReadUntilPongOrCloseAsync(RawWebSocket socket)
    {
        try
        {
            while (true)
            {
                var (opcode, payload) = await socket.ReadFrameAsync(TimeSpan.FromSeconds(10));
                if (opcode == RawWebSocket.Close)
                {
                    return payload.Length >= 2 ? payload[0] << 8 | payload[1] : 1005;
                }

                if (opcode == RawWebSocket.Text && Encoding.UTF8.GetString(payload) == """{"type":"pong"}""")
                {
                    return null;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or EndOfStreamException or OperationCanceledException)
        {
            return 1006;
        }
    }

    private void Report(string target, int seed, int count, ConcurrentDictionary<int, int> outcomes)
    {
        var line = $"| {target} | {count} | {seed} | {string.Join(", ", outcomes.OrderBy(o => o.Key).Select(o => $"{o.Key}: {o.Value}"))} |";
        output.WriteLine(line);
        var path = Path.Combine(RepositoryPaths.Root, "artifacts", "fuzz-results.md");
        lock (typeof(FuzzTests))
        {
            if (!File.Exists(path))
            {
                File.WriteAllText(path, "| target | inputs | seed | outcomes (status or close code: count) |\n|---|---|---|---|\n");
            }

            File.AppendAllText(path, line + "\n");
        }
    }
}

/// <summary>Secured API and gateway for fuzzing (write limits lifted so that validation, not the limiter, answers), and frozen workflows.</summary>
public sealed class FuzzFixture(RedisFixture redis) : IAsyncLifetime
{
    private static readonly string[] ContentTypes = ["application/json", "application/json; charset=utf-8", "application/merge-patch+json", "text/plain", "application/xml", "application/json; charset=latin1", ""];
    private static readonly string[] StaleIfMatch = ["\"1\"", "W/\"2\"", "3", "\"4\"", "abc", "-1", "99999999999999999999", "\"6\", \"7\""];
    private static readonly string[] OddIds = ["wf_missing", "bad*id", "..%2F..%2Fetc", "%00", "wf%20x", new string('a', 65), "vapora:wf:{x}", "$where", "%F0%9F%98%80", "null"];

    public TokenFactory Tokens { get; } = new();

    public RedisServer Redis => redis.Server;

    public ServiceProcess Api { get; private set; } = null!;

    public ServiceProcess Gateway { get; private set; } = null!;

    public string AdminToken { get; private set; } = string.Empty;

    public WorkflowApiClient Admin { get; private set; } = null!;

    /// <summary>Completed: every PATCH to it must be refused.</summary>
    public string Done { get; private set; } = string.Empty;

    /// <summary>Running at version 5: PATCHes carry a stale If-Match, so every one must be refused.</summary>
    public string Busy { get; private set; } = string.Empty;

    public async ValueTask InitializeAsync()
    {
        var settings = new Dictionary<string, string?>(Tokens.ServiceSettings())
        {
            ["RateLimits__WritesPerSecond"] = "1000000",
            ["RateLimits__WriteBurst"] = "1000000",
        };
        Api = await ServiceProcess.StartApiAsync(redis.Server.ConnectionString, settings);
        Gateway = await ServiceProcess.StartGatewayAsync(redis.Server.ConnectionString, Api.BaseUrl, new Dictionary<string, string?>(Tokens.ServiceSettings())
        {
            ["Gateway__ApiAccessToken"] = Tokens.Create("workflows:read", subject: "gateway", lifetime: TimeSpan.FromDays(1)),
        });
        AdminToken = Tokens.Create("workflows:write workflows:read", lifetime: TimeSpan.FromHours(2));
        var http = new HttpClient { BaseAddress = Api.BaseUrl };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminToken);
        Admin = new WorkflowApiClient(http);
        Done = (await Admin.CreateAsync("frozen, completed", totalSteps: 3)).WorkflowId;
        await Admin.UpdateAsync(Done, new UpdateWorkflowRequest { Status = WorkflowStatus.Completed, CurrentStep = 3 });
        Busy = (await Admin.CreateAsync("frozen, running", totalSteps: 10)).WorkflowId;
        for (var step = 1; step <= 4; step++)
        {
            await Admin.ProgressAsync(Busy, step);
        }
    }

    /// <summary>The frozen workflows' state and history, exactly as the API returns them.</summary>
    public async Task<string> SnapshotAsync()
    {
        var text = new StringBuilder();
        foreach (var id in new[] { Done, Busy })
        {
            text.Append(await Admin.Http.GetStringAsync($"api/workflows/{id}"));
            text.Append(await Admin.Http.GetStringAsync($"api/workflows/{id}/history?limit=1000"));
        }

        return text.ToString();
    }

    public HttpRequestMessage RandomRestRequest(FuzzInput fuzz)
    {
        var roll = fuzz.Random.Next(10);
        HttpRequestMessage request;
        if (roll < 4)
        {
            var target = fuzz.Random.Next(3) switch { 0 => Done, 1 => Busy, _ => fuzz.Pick(OddIds) };
            request = new HttpRequestMessage(HttpMethod.Patch, $"api/workflows/{target}")
            {
                Content = Body(fuzz, fuzz.Mutate("""{"status":"running","current_step":1,"total_steps":5,"message":"m"}""")),
            };
            if (target == Busy || fuzz.Random.Next(4) == 0)
            {
                // Never the current version (5) nor *: a PATCH that passes validation must still change nothing.
                request.Headers.TryAddWithoutValidation("If-Match", fuzz.Pick(StaleIfMatch));
            }
        }
        else if (roll < 6)
        {
            request = new HttpRequestMessage(HttpMethod.Post, "api/workflows") { Content = Body(fuzz, fuzz.Mutate("""{"name":"n","total_steps":5,"message":"m"}""")) };
            if (fuzz.Random.Next(3) == 0)
            {
                request.Headers.TryAddWithoutValidation("Idempotency-Key", fuzz.Random.Next(2) == 0 ? fuzz.RandomAscii(fuzz.Random.Next(1, 400)) : Guid.NewGuid().ToString());
            }
        }
        else
        {
            var id = fuzz.Random.Next(3) switch { 0 => Done, 1 => Busy, _ => fuzz.Pick(OddIds) };
            var path = fuzz.Random.Next(4) switch
            {
                0 => $"api/workflows?status={Uri.EscapeDataString(fuzz.Pick(["running", "x", "", "RUNNING"]))}&limit={fuzz.Random.Next(-5, 2000)}&cursor={Uri.EscapeDataString(fuzz.Pick(OddIds))}",
                1 => $"api/workflows/{id}",
                2 => $"api/workflows/{id}/history?after={fuzz.Pick(["-1", "0", "3", "abc", "99999999999999999999", "1e3"])}&limit={fuzz.Random.Next(-10, 3000)}",
                _ => $"api/{Uri.EscapeDataString(fuzz.RandomText(8))}",
            };
            var method = fuzz.Pick([HttpMethod.Get, HttpMethod.Get, HttpMethod.Put, HttpMethod.Delete, HttpMethod.Head, HttpMethod.Options]);
            request = new HttpRequestMessage(method, path);
            if (method == HttpMethod.Put)
            {
                request.Content = Body(fuzz, fuzz.Mutate("""{"status":"failed"}"""));
            }
        }

        switch (fuzz.Random.Next(20))
        {
            case 0:
                break;
            case 1:
                request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + fuzz.RandomAscii(30));
                break;
            case 2:
                request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + Tokens.Create("workflows:read"));
                break;
            default:
                request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + AdminToken);
                break;
        }

        return request;
    }

    public (byte Opcode, byte[] Payload) RandomMultiplexFrame(FuzzInput fuzz)
    {
        var roll = fuzz.Random.Next(100);
        if (roll < 3)
        {
            return (RawWebSocket.Binary, Encoding.UTF8.GetBytes(fuzz.RandomText(20)));
        }

        if (roll < 4)
        {
            return (RawWebSocket.Text, new byte[70_000]);
        }

        if (roll < 6)
        {
            return (RawWebSocket.Text, [0xC3, 0x28, 0xFF, 0xFE]);
        }

        var target = fuzz.Random.Next(3) switch { 0 => Done, 1 => Busy, _ => fuzz.Pick(OddIds) };
        var valid = fuzz.Random.Next(3) switch
        {
            0 => $$"""{"type":"subscribe","workflow_id":"{{target}}","after":{{fuzz.Random.Next(0, 6)}}}""",
            1 => $$"""{"type":"unsubscribe","workflow_id":"{{target}}"}""",
            _ => """{"type":"ping"}""",
        };
        return (RawWebSocket.Text, Encoding.UTF8.GetBytes(fuzz.Random.Next(5) == 0 ? valid : fuzz.Mutate(valid)));
    }

    public string RandomStreamPath(FuzzInput fuzz)
    {
        var id = fuzz.Random.Next(4) switch { 0 => Done, 1 => Busy, _ => fuzz.Pick(OddIds) };
        var after = fuzz.Random.Next(4) switch { 0 => "", 1 => "&after=" + fuzz.Random.Next(0, 8), 2 => "&after=" + Uri.EscapeDataString(fuzz.Pick(["-1", "x", "1e9", "99999999999999999999"])), _ => "&after=1&after=2" };
        var token = fuzz.Random.Next(10) == 0 ? Uri.EscapeDataString(fuzz.RandomAscii(10)) : AdminToken;
        return $"/api/workflows/{id}/updates?access_token={token}{after}";
    }

    /// <summary>A GET on one of the event-stream paths with random ids, versions, cursors and tokens.</summary>
    public HttpRequestMessage RandomEventStreamRequest(FuzzInput fuzz)
    {
        string Id() => fuzz.Random.Next(3) switch { 0 => Done, 1 => Busy, _ => fuzz.Pick(OddIds) };
        string Version() => fuzz.Pick(["0", "1", "3", "5", "6", "-1", "x", "1e9", "99999999999999999999", "", " 2"]);
        var token = fuzz.Random.Next(8) switch
        {
            0 => string.Empty,
            1 => "&access_token=" + Uri.EscapeDataString(fuzz.RandomAscii(fuzz.Random.Next(1, 60))),
            2 => "&access_token=" + AdminToken + "&access_token=" + AdminToken,
            _ => "&access_token=" + AdminToken,
        };
        string path;
        string? lastEventId = null;
        if (fuzz.Random.Next(2) == 0)
        {
            var after = fuzz.Random.Next(3) switch { 0 => "", 1 => "after=" + Uri.EscapeDataString(Version()), _ => "after=1&after=2" };
            path = $"api/workflows/{Id()}/events?{after}{token}";
            lastEventId = fuzz.Random.Next(3) == 0 ? fuzz.Pick([Version(), fuzz.RandomAscii(fuzz.Random.Next(1, 40)), new string('9', 3000)]) : null;
        }
        else
        {
            var entries = Enumerable.Range(0, fuzz.Random.Next(0, 6)).Select(_ => fuzz.Random.Next(3) == 0 ? Id() + ":" + Version() : Id());
            var list = fuzz.Random.Next(10) switch
            {
                0 => string.Join(',', Enumerable.Range(0, 150).Select(i => $"wf_{i}")),
                1 => Uri.EscapeDataString(fuzz.Mutate(Id() + ":" + Version() + "," + Id())),
                _ => string.Join(',', entries),
            };
            path = (fuzz.Random.Next(10) == 0 ? "events?" : $"events?workflows={list}") + token;
            lastEventId = fuzz.Random.Next(3) switch
            {
                0 => null,
                1 => fuzz.RandomAscii(8).ToLowerInvariant() + ":" + string.Join(',', Enumerable.Range(0, fuzz.Random.Next(0, 6)).Select(_ => Version())),
                _ => fuzz.Pick([fuzz.RandomAscii(fuzz.Random.Next(1, 80)), new string('7', 9000), "00000000:", ":::", ","]),
            };
        }

        var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (lastEventId is not null)
        {
            request.Headers.TryAddWithoutValidation("Last-Event-ID", lastEventId);
        }

        if (fuzz.Random.Next(10) == 0)
        {
            request.Headers.TryAddWithoutValidation("Origin", fuzz.Pick(["https://evil.example", "null", fuzz.RandomAscii(12)]));
        }

        return request;
    }

    public (byte Opcode, byte[] Payload) RandomStreamFrame(FuzzInput fuzz)
    {
        var roll = fuzz.Random.Next(100);
        return roll switch
        {
            < 3 => (RawWebSocket.Binary, Encoding.UTF8.GetBytes(fuzz.RandomText(10))),
            < 4 => (RawWebSocket.Text, new byte[70_000]),
            < 30 => (RawWebSocket.Text, "ping"u8.ToArray()),
            _ => (RawWebSocket.Text, Encoding.UTF8.GetBytes(fuzz.Mutate("""{"type":"ping"}"""))),
        };
    }

    private static StringContent Body(FuzzInput fuzz, string json)
    {
        var content = new StringContent(json, Encoding.UTF8);
        var type = fuzz.Pick(ContentTypes);
        content.Headers.Remove("Content-Type");
        if (type.Length > 0)
        {
            content.Headers.TryAddWithoutValidation("Content-Type", type);
        }

        return content;
    }

    public async ValueTask DisposeAsync()
    {
        await Gateway.DisposeAsync();
        await Api.DisposeAsync();
    }
}
