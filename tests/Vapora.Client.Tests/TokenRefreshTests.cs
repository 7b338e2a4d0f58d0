using System.Net.Http.Headers;
using Vapora.Contracts;
using Vapora.Testing;

namespace Vapora.Client.Tests;

/// <summary>
/// The client keeps a socket's token fresh in-band (its token callback, ahead of expiry) against a gateway with JWT on:
/// no reconnect for a token, and a failed refresh is reported while the stream goes on. A token refused before the
/// gateway ever answered gets one more try with the callback's next token.
/// </summary>
public sealed class TokenRefreshTests(RedisFixture redis) : IAsyncLifetime
{
    private readonly TokenFactory _tokens = new();
    private ServiceProcess _api = null!;
    private ServiceProcess _gateway = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _api = await ServiceProcess.StartApiAsync(redis.Server.ConnectionString, _tokens.ServiceSettings());
        _gateway = await ServiceProcess.StartGatewayAsync(redis.Server.ConnectionString, _api.BaseUrl, Settings.Layer(_tokens.ServiceSettings(),
            new Dictionary<string, string?> { ["Gateway__ApiAccessToken"] = _tokens.Create("workflows:read", subject: "gateway", lifetime: TimeSpan.FromDays(1)) }));
    }

    public async ValueTask DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _api.DisposeAsync();
    }

    [Fact]
    public async Task A_socket_with_6s_tokens_stays_open_across_three_lifetimes_with_no_reconnect_and_every_version_once_in_order()
    {
        var api = Writer();
        var id = (await api.CreateAsync(totalSteps: 1000)).WorkflowId;
        var issued = new HashSet<string>(); // distinct: a token asked for in the second its predecessor was made is the same, and is not sent
        var stream = new WorkflowStreamClient(new WorkflowClientOptions
        {
            BaseUrl = _gateway.BaseUrl,
            Transports = [StreamTransport.WebSocket],
            AccessTokenProvider = _ =>
            {
                var token = _tokens.Create(workflows: [id], lifetime: TimeSpan.FromSeconds(6));
                lock (issued)
                {
                    issued.Add(token);
                }

                return ValueTask.FromResult(token);
            },
        }).Watch(id);
        var reconnects = 0;
        var failures = new List<string>();
        stream.Reconnecting += (_, _) => Interlocked.Increment(ref reconnects);
        stream.TokenRefreshFailed += (_, e) => { lock (failures) { failures.Add(e.Reason); } };
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var versions = new List<long>();
        var reading = ReadAsync(stream, versions, stop.Token);

        await Poll.UntilAsync(() => { lock (versions) { return versions.Count == 1; } }, TimeSpan.FromSeconds(15), "the state");
        var writes = 0;
        using var cadence = new PeriodicTimer(TimeSpan.FromMilliseconds(300)); // the producer's pace, not a wait for a result
        for (var until = DateTime.UtcNow.AddSeconds(18); DateTime.UtcNow < until && await cadence.WaitForNextTickAsync(Ct);)
        {
            await api.ProgressAsync(id, ++writes);
        }

        await Poll.UntilAsync(() => { lock (versions) { return versions.Count > 0 && versions[^1] == writes + 1; } }, TimeSpan.FromSeconds(10), "the last version");
        // Every token issued after the connection's went in-band and was accepted (one may still be on its way at the end).
        await Poll.UntilAsync(() => { lock (issued) { return stream.TokensRefreshed + 1 == issued.Count; } }, TimeSpan.FromSeconds(10), "every token issued since the connection's accepted");
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => reading);

        Assert.Equal(Enumerable.Range(1, writes + 1).Select(v => (long)v), versions);
        Assert.Equal(0, reconnects);
        Assert.Empty(failures);
        Assert.True(stream.TokensRefreshed >= 3, $"{stream.TokensRefreshed} in-band refreshes");
    }

    [Fact]
    public async Task A_refused_refresh_is_reported_and_at_expiry_the_stream_reconnects_with_a_fresh_token_and_resumes()
    {
        var api = Writer();
        var id = (await api.CreateAsync()).WorkflowId;
        WorkflowStream stream = null!;
        stream = new WorkflowStreamClient(new WorkflowClientOptions
        {
            BaseUrl = _gateway.BaseUrl,
            Transports = [StreamTransport.WebSocket],
            InitialBackoff = TimeSpan.FromMilliseconds(50),
            // Connections get good tokens; every in-band refresh (while live) gets one of another subject, refused.
            AccessTokenProvider = _ => ValueTask.FromResult(stream.Status == StreamStatus.Live
                ? _tokens.Create(workflows: [id], subject: "someone-else")
                : _tokens.Create(workflows: [id], lifetime: TimeSpan.FromSeconds(4))),
        }).Watch(id, afterVersion: 0);
        var failures = new List<string>();
        var reconnects = new List<ReconnectingEventArgs>();
        stream.TokenRefreshFailed += (_, e) => { lock (failures) { failures.Add(e.Reason); } };
        stream.Reconnecting += (_, e) => { lock (reconnects) { reconnects.Add(e); } };
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var versions = new List<long>();
        var reading = ReadAsync(stream, versions, stop.Token);

        await Poll.UntilAsync(() => { lock (reconnects) { return reconnects.Count >= 1; } }, TimeSpan.FromSeconds(10), "the reconnect at expiry");
        await api.ProgressAsync(id, 1);
        await Poll.UntilAsync(() => { lock (versions) { return versions.Contains(2); } }, TimeSpan.FromSeconds(10), "version 2 after the reconnect");
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => reading);

        Assert.Equal([1L, 2], versions);
        Assert.Equal(4401, reconnects[0].CloseCode);
        Assert.Contains(failures, f => f.Contains("unauthorized", StringComparison.Ordinal) && f.Contains("another subject", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(StreamTransport.WebSocket)]
    [InlineData(StreamTransport.ServerSentEvents)]
    public async Task A_first_token_refused_before_any_answer_is_retried_once_with_the_callbacks_next_token(StreamTransport transport)
    {
        var api = Writer();
        var id = (await api.CreateAsync()).WorkflowId;
        var calls = 0;
        var stream = new WorkflowStreamClient(new WorkflowClientOptions
        {
            BaseUrl = _gateway.BaseUrl,
            Transports = [transport],
            InitialBackoff = TimeSpan.FromMilliseconds(50),
            // The first token aged on its way (a slow start with a short-lived token); the callback's next one is good.
            AccessTokenProvider = _ => ValueTask.FromResult(Interlocked.Increment(ref calls) == 1
                ? _tokens.Create(workflows: [id], lifetime: TimeSpan.FromMinutes(-1))
                : _tokens.Create(workflows: [id])),
        }).Watch(id, afterVersion: 0);
        var reconnects = new List<ReconnectingEventArgs>();
        stream.Reconnecting += (_, e) => { lock (reconnects) { reconnects.Add(e); } };
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var versions = new List<long>();
        var reading = ReadAsync(stream, versions, stop.Token);

        await Poll.UntilAsync(() => { lock (versions) { return versions.Count == 1; } }, TimeSpan.FromSeconds(15), "the state after the second token");
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => reading);

        Assert.Equal([1L], versions);
        Assert.Equal(4401, Assert.Single(reconnects).CloseCode);
    }

    [Theory]
    [InlineData(StreamTransport.WebSocket)]
    [InlineData(StreamTransport.ServerSentEvents)]
    public async Task A_callback_that_gives_the_refused_token_again_ends_the_stream_with_4401_after_one_retry(StreamTransport transport)
    {
        var id = (await Writer().CreateAsync()).WorkflowId;
        var expired = _tokens.Create(workflows: [id], lifetime: TimeSpan.FromMinutes(-1));
        var calls = 0;
        var stream = new WorkflowStreamClient(new WorkflowClientOptions
        {
            BaseUrl = _gateway.BaseUrl,
            Transports = [transport],
            InitialBackoff = TimeSpan.FromMilliseconds(50),
            AccessTokenProvider = _ =>
            {
                Interlocked.Increment(ref calls);
                return ValueTask.FromResult(expired);
            },
        }).Watch(id);
        var reconnects = 0;
        stream.Reconnecting += (_, _) => Interlocked.Increment(ref reconnects);

        var error = await Assert.ThrowsAsync<WorkflowStreamClosedException>(() => stream.RunAsync(Ct));

        Assert.Equal(CloseReason.Unauthorized.Code, error.CloseCode);
        Assert.Contains("expired", error.Message, StringComparison.Ordinal);
        Assert.True(calls >= 2, $"{calls} calls of the token callback"); // a socket's in-band refresh may ask too
        Assert.Equal(1, reconnects);
        Assert.Equal(StreamStatus.Stopped, stream.Status);
    }

    /// <summary>Reads the stream on its own task, collecting the versions (lock the list to look at it).</summary>
    private static Task ReadAsync(WorkflowStream stream, List<long> versions, CancellationToken stop) => Task.Run(async () =>
    {
        await foreach (var update in stream.ReadAllAsync(stop))
        {
            lock (versions)
            {
                versions.Add(update.Version);
            }
        }
    }, Ct);

    private WorkflowApiClient Writer()
    {
        var http = new HttpClient { BaseAddress = _api.BaseUrl };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", _tokens.Create("workflows:write workflows:read"));
        return new WorkflowApiClient(http);
    }
}
