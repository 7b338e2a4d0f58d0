using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using Vapora.Contracts;
using Vapora.Testing;
using static Microsoft.Playwright.Assertions;

namespace Vapora.Browser.Tests;

/// <summary>The live progress page in a real headless Chromium against real processes behind nginx.</summary>
public sealed class ProgressPageTests(PageFixture fixture) : IClassFixture<PageFixture>, IAsyncDisposable
{
    private readonly OpenPages _pages = new(fixture);

    public ValueTask DisposeAsync() => _pages.DisposeAsync();

    [Fact]
    public async Task The_page_shows_a_workflow_and_its_bar_moves_as_updates_are_posted()
    {
        var created = await fixture.Client.CreateAsync("Build images", totalSteps: 10);
        var page = await _pages.OpenAsync();
        var row = page.Locator($"li[data-id='{created.WorkflowId}']");

        await Expect(row.Locator(".name")).ToHaveTextAsync("Build images");
        await Expect(row.Locator(".badge")).ToHaveTextAsync("pending");
        await Expect(page.Locator("#connection")).ToHaveAttributeAsync("data-state", "live");
        await Expect(page.Locator("#connection")).ToHaveAttributeAsync("data-transport", "websocket");
        await Expect(page.Locator("#connection")).ToHaveTextAsync("live · WebSocket");
        var bar = row.Locator("[role=progressbar]");
        await Expect(bar).ToHaveAttributeAsync("aria-valuenow", "0");

        await fixture.Client.ProgressAsync(created.WorkflowId, 3, "Compiling");
        await Expect(bar).ToHaveAttributeAsync("aria-valuenow", "3");
        await Expect(row.Locator(".badge")).ToHaveTextAsync("running");
        await Expect(row.Locator(".message")).ToHaveTextAsync("Compiling");
        await Expect(row.Locator(".steps")).ToHaveTextAsync("3/10");

        await fixture.Client.UpdateAsync(created.WorkflowId, new UpdateWorkflowRequest { Status = WorkflowStatus.Completed, CurrentStep = 10, Message = "Done" });
        await Expect(bar).ToHaveAttributeAsync("aria-valuenow", "10");
        await Expect(row.Locator(".badge")).ToHaveTextAsync("completed");
        await Expect(bar.Locator(".fill")).ToHaveAttributeAsync("style", "width: 100%;");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(PageFixture.Screenshots, "list.png"), FullPage = true });
    }

    [Fact]
    public async Task The_detail_view_survives_a_gateway_kill_the_indicator_says_reconnecting_then_live_and_no_version_is_missing()
    {
        var created = await fixture.Client.CreateAsync("Deploy to production", totalSteps: 20);
        for (var step = 1; step <= 5; step++)
        {
            await fixture.Client.ProgressAsync(created.WorkflowId, step, $"Rolling out batch {step}");
        }

        var page = await _pages.OpenAsync($"/#/workflows/{created.WorkflowId}");
        await Expect(page.Locator("#detail-title")).ToHaveTextAsync("Deploy to production");
        await Expect(page.Locator("#history tbody tr")).ToHaveCountAsync(6);
        await Expect(page.Locator("#connection")).ToHaveAttributeAsync("data-state", "live");

        // The page holds one socket (every earlier test closed its pages): kill -9 the gateway that serves it.
        var serving = await fixture.ServingGatewayAsync();
        await serving!.KillAsync();
        try
        {
            await AssertResumedWithoutLossAsync(page, created.WorkflowId);
        }
        finally
        {
            // The gateways are shared by this class's tests: bring it back whatever happened above.
            await serving.RestartAsync();
        }
    }

    [Fact]
    public async Task A_version_that_a_list_refresh_reports_before_its_frame_arrives_still_gets_its_history_row()
    {
        var created = await fixture.Client.CreateAsync("Index documents", totalSteps: 10);
        var page = await _pages.OpenAsync($"/#/workflows/{created.WorkflowId}");
        await Expect(page.Locator("#history tbody tr")).ToHaveCountAsync(1);
        await Expect(page.Locator("#connection")).ToHaveAttributeAsync("data-state", "live");

        // The list's REST read overtakes the socket: it already reports version 2 when version 2's frame arrives (a
        // fresh clone's run once lost a history row this way).
        await page.RouteAsync(url => url.Contains("/api/workflows?limit=50", StringComparison.Ordinal), async route =>
        {
            var response = await route.FetchAsync();
            var list = JsonNode.Parse(await response.TextAsync())!;
            foreach (var item in list["items"]!.AsArray())
            {
                if ((string?)item!["workflow_id"] == created.WorkflowId)
                {
                    item["version"] = 2;
                    item["status"] = "running";
                    item["current_step"] = 1;
                }
            }

            await route.FulfillAsync(new() { Response = response, Body = list.ToJsonString() });
        });
        var refreshes = await page.EvaluateAsync<int>("window.__vapora.listRefreshes");
        await page.Locator("#status-filter").DispatchEventAsync("change");
        await Poll.UntilAsync(async () => await page.EvaluateAsync<int>("window.__vapora.listRefreshes") > refreshes,
            TimeSpan.FromSeconds(15), "a list refresh that reports version 2");

        await fixture.Client.ProgressAsync(created.WorkflowId, 1, "Scanning");

        await Expect(page.Locator("#history tbody tr")).ToHaveCountAsync(2);
        var versions = await page.Locator("#history tbody tr").EvaluateAllAsync<long[]>("rows => rows.map(r => Number(r.dataset.version))");
        Assert.Equal([2L, 1L], versions);
    }

    private async Task AssertResumedWithoutLossAsync(IPage page, string workflowId)
    {
        for (var step = 6; step <= 10; step++)
        {
            await fixture.Client.ProgressAsync(workflowId, step, $"Rolling out batch {step}");
        }

        await Expect(page.Locator("#history tbody tr")).ToHaveCountAsync(11, new() { Timeout = 20_000 });
        await Expect(page.Locator("#connection")).ToHaveAttributeAsync("data-state", "live");
        var states = await page.EvaluateAsync<string[]>("window.__vapora.states");
        Assert.Contains("reconnecting", states);
        Assert.Equal("live", states[^1]);
        var versions = await page.Locator("#history tbody tr").EvaluateAllAsync<long[]>("rows => rows.map(r => Number(r.dataset.version))");
        Assert.Equal(Enumerable.Range(1, 11).Reverse().Select(v => (long)v), versions);
        await Expect(page.Locator("#detail-summary [role=progressbar]")).ToHaveAttributeAsync("aria-valuenow", "10");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(PageFixture.Screenshots, "detail-after-gateway-kill.png"), FullPage = true });
    }

    [Fact]
    public async Task When_the_gateways_cannot_be_reached_the_page_retries_with_growing_jittered_delays_then_falls_back_to_event_streams_then_polling()
    {
        await fixture.Client.CreateAsync("Something to watch", totalSteps: 3);
        // A real port that reads each request line and then drops the connection, as a dead gateway behind a proxy would.
        using var refuser = new TcpListener(IPAddress.Loopback, 0);
        refuser.Start();
        var clock = Stopwatch.StartNew();
        var attempts = new List<(TimeSpan At, string Request)>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var accepting = Task.Run(async () =>
        {
            var open = new List<Task>();
            while (!stop.IsCancellationRequested)
            {
                var client = await refuser.AcceptTcpClientAsync(stop.Token);
                var at = clock.Elapsed;
                // Each connection on its own: one that sends nothing (a browser's preconnect) must not delay the next accept.
                open.Add(RecordFirstLineAndResetAsync(client, at));
            }

            await Task.WhenAll(open);
        }, stop.Token);

        async Task RecordFirstLineAndResetAsync(TcpClient client, TimeSpan at)
        {
            using (client)
            {
                var buffer = new byte[256];
                using var firstLine = CancellationTokenSource.CreateLinkedTokenSource(stop.Token);
                firstLine.CancelAfter(TimeSpan.FromSeconds(2));
                var read = await client.GetStream().ReadAsync(buffer, firstLine.Token).AsTask().ContinueWith(t => t.IsCompletedSuccessfully ? t.Result : 0);
                lock (attempts)
                {
                    attempts.Add((at, Encoding.ASCII.GetString(buffer, 0, read).Split('\r')[0]));
                }

                client.Client.LingerState = new LingerOption(true, 0);
            }
        }

        var streamBase = $"http://127.0.0.1:{((IPEndPoint)refuser.LocalEndpoint).Port}";

        // The page's Content-Security-Policy names the gateway's own socket base, not this port: bypassed for this test only.
        var page = await _pages.OpenAsync(configure: context => context.RouteAsync("**/config.json", route =>
            route.FulfillAsync(new() { Json = new { apiBaseUrl = fixture.Nginx.BaseUrl.ToString().TrimEnd('/'), socketBaseUrl = streamBase } })),
            bypassContentSecurityPolicy: true);

        await Expect(page.Locator("#connection")).ToHaveAttributeAsync("data-state", "reconnecting");
        // Three sockets, three event streams, then polling the API (which the page reaches).
        await Expect(page.Locator("#connection")).ToHaveAttributeAsync("data-state", "polling", new() { Timeout = 30_000 });
        await Expect(page.Locator("#connection")).ToHaveTextAsync("polling (no live connection)");
        await stop.CancelAsync();
        await accepting.ContinueWith(_ => { }, TestContext.Current.CancellationToken);

        List<(TimeSpan At, string Request)> seen;
        lock (attempts)
        {
            seen = [.. attempts.OrderBy(a => a.At)];
        }

        var timeline = string.Join(" | ", seen.Select(a => $"{a.At.TotalMilliseconds:0} ms {(a.Request.Length == 0 ? "(nothing sent)" : a.Request[..Math.Min(a.Request.Length, 24)])}"));
        var sockets = seen.Where(a => a.Request.StartsWith("GET /ws ", StringComparison.Ordinal)).Select(a => a.At).ToList();
        var streams = seen.Where(a => a.Request.StartsWith("GET /events?", StringComparison.Ordinal)).Select(a => a.At).ToList();
        Assert.True(sockets.Count == 3 && streams.Count == 3, "expected 3 socket and 3 stream attempts: " + timeline);

        // The waits the page scheduled, from its own log: attempt n waits between half and all of
        // min(30 s, 500 ms × 2^(n-1)); the lower bounds do not overlap, so this is the growth. The transport changes at
        // once (a wait of 0), and the attempts go on counting.
        var waits = await page.EvaluateAsync<double[][]>("window.__vapora.waits.map(w => [w.attempt, w.delayMs])");
        var waitTransports = await page.EvaluateAsync<string[]>("window.__vapora.waits.map(w => w.transport)");
        var scheduled = string.Join(" | ", waits.Select((w, i) => $"{waitTransports[i]} attempt {w[0]} wait {w[1]:0} ms"));
        var backoffs = waits.Where(w => w[1] > 0).Take(4).ToArray();
        Assert.True(backoffs.Length == 4, "expected 4 backoff waits: " + scheduled);
        Assert.Equal(["websocket", "websocket", "sse", "sse"], waitTransports.Where((_, i) => waits[i][1] > 0).Take(4));
        for (var n = 1; n <= 4; n++)
        {
            var ceiling = 500 * Math.Pow(2, n - 1);
            Assert.True(backoffs[n - 1][0] == n && backoffs[n - 1][1] >= ceiling / 2 && backoffs[n - 1][1] <= ceiling,
                $"attempt {n} should wait between {ceiling / 2:0} and {ceiling:0} ms: {scheduled}");
        }

        // What the refusing port saw: no attempt before its wait was over (exact), and none long after it. The upper
        // bound allows for a busy machine: a failed connect, a reset and a timer between the two attempts.
        AssertGap(sockets[1] - sockets[0], backoffs[0][1]);
        AssertGap(sockets[2] - sockets[1], backoffs[1][1]);
        AssertGap(streams[0] - sockets[2], 0);
        AssertGap(streams[1] - streams[0], backoffs[2][1]);
        AssertGap(streams[2] - streams[1], backoffs[3][1]);

        void AssertGap(TimeSpan gap, double wait) => Assert.True(
            gap.TotalMilliseconds >= wait - 50 && gap.TotalMilliseconds <= wait + 3_000,
            $"{gap.TotalMilliseconds:0} ms between attempts where the page waited {wait:0} ms: {timeline}; scheduled: {scheduled}");
    }

    [Fact]
    public async Task The_page_runs_on_the_served_package_whose_close_code_table_agrees_with_the_contract()
    {
        // The documented codes; 1000 and 1005 are left out: the page (and the package) reconnect after a normal close.
        var codes = CloseReason.Known.Select(k => k.Code).Where(c => c is not (1000 or 1005)).Concat([4123, 4399, 4450]).ToArray();
        var page = await _pages.OpenAsync();

        var giveUp = await page.EvaluateAsync<bool[]>("async codes => { const client = await import('./vendor/vapora-client/index.js'); return codes.map(client.isGiveUpCode); }", codes);

        Assert.Equal(codes.Select(c => !CloseReason.ShouldResume(c)), giveUp);
        var scripts = await page.EvaluateAsync<string[]>("performance.getEntriesByType('resource').map(r => new URL(r.name).pathname)");
        Assert.Contains("/vendor/vapora-client/index.js", scripts);
        Assert.DoesNotContain("/live.js", scripts);
    }

    [Fact]
    public async Task An_unknown_workflow_shows_a_clear_not_found_error()
    {
        var page = await _pages.OpenAsync("/#/workflows/wf_does_not_exist");

        await Expect(page.Locator("#error")).ToBeVisibleAsync();
        await Expect(page.Locator("#error")).ToContainTextAsync("not found");
    }

    [Fact]
    public async Task Rows_are_reachable_by_keyboard_and_progress_bars_carry_aria_values()
    {
        var created = await fixture.Client.CreateAsync("Keyboard reachable", totalSteps: 4);
        await fixture.Client.ProgressAsync(created.WorkflowId, 2);
        var page = await _pages.OpenAsync();
        var link = page.Locator($"li[data-id='{created.WorkflowId}'] a");
        await Expect(link).ToBeVisibleAsync();

        var bar = page.Locator($"li[data-id='{created.WorkflowId}'] [role=progressbar]");
        await Expect(bar).ToHaveAttributeAsync("aria-valuemin", "0");
        await Expect(bar).ToHaveAttributeAsync("aria-valuemax", "4");
        await Expect(bar).ToHaveAttributeAsync("aria-valuenow", "2");
        await Expect(bar).ToHaveAttributeAsync("aria-label", "Progress of Keyboard reachable");

        // Tab until the row's link has focus, then open it with Enter and leave with Escape.
        for (var i = 0; i < 60 && !await link.EvaluateAsync<bool>("a => a === document.activeElement"); i++)
        {
            await page.Keyboard.PressAsync("Tab");
        }

        Assert.True(await link.EvaluateAsync<bool>("a => a === document.activeElement"), "the row's link should be reachable with Tab");
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator("#detail-title")).ToHaveTextAsync("Keyboard reachable");
        await page.Keyboard.PressAsync("Escape");
        await Expect(page.Locator("#list-view")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task The_page_is_readable_on_a_phone_without_horizontal_scrolling()
    {
        var created = await fixture.Client.CreateAsync("A workflow with a rather long name to wrap on a small screen", totalSteps: 8);
        await fixture.Client.ProgressAsync(created.WorkflowId, 5, "A long message that must wrap rather than push the page sideways on a phone screen");
        var page = await _pages.OpenAsync(viewport: new ViewportSize { Width = 390, Height = 844 });
        await Expect(page.Locator($"li[data-id='{created.WorkflowId}'] .steps")).ToHaveTextAsync("5/8");

        var overflow = await page.EvaluateAsync<bool>("document.documentElement.scrollWidth > document.documentElement.clientWidth");

        Assert.False(overflow, "the page scrolls sideways on a 390 px wide screen");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(PageFixture.Screenshots, "phone.png"), FullPage = true });
    }

    [Fact]
    public async Task Behind_a_proxy_that_refuses_websockets_the_page_shows_live_progress_over_server_sent_events_and_says_so()
    {
        var created = await fixture.Client.CreateAsync("Streamed", totalSteps: 5);
        var page = await _pages.OpenAsync(nginx: fixture.NginxWithoutWebSockets);
        var row = page.Locator($"li[data-id='{created.WorkflowId}']");
        await Expect(row).ToBeVisibleAsync();
        await Expect(page.Locator("#connection")).ToHaveAttributeAsync("data-transport", "sse", new() { Timeout = 15_000 });
        await Expect(page.Locator("#connection")).ToHaveAttributeAsync("data-state", "live");
        await Expect(page.Locator("#connection")).ToHaveTextAsync("live · Server-Sent Events");
        await Expect(row).ToHaveAttributeAsync("data-version", "1");

        for (var step = 1; step <= 3; step++)
        {
            await fixture.Client.ProgressAsync(created.WorkflowId, step, $"streamed {step}");
            // Faster than a poll could bring it (every 5 s): it is streamed.
            await Expect(row.Locator("[role=progressbar]")).ToHaveAttributeAsync("aria-valuenow", step.ToString(System.Globalization.CultureInfo.InvariantCulture), new() { Timeout = 3_000 });
        }

        await Expect(row.Locator(".message")).ToHaveTextAsync("streamed 3");
        var transports = await page.EvaluateAsync<string?[]>("window.__vapora.transports");
        Assert.DoesNotContain("polling", transports);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(PageFixture.Screenshots, "list-over-sse.png"), FullPage = true });
    }

    [Fact]
    public async Task Without_websockets_or_event_streams_the_page_says_it_is_polling_and_keeps_up_through_the_api()
    {
        var created = await fixture.Client.CreateAsync("Polled", totalSteps: 3);
        var page = await _pages.OpenAsync(initScript: "delete window.WebSocket;",
            configure: context => context.RouteAsync("**/events?**", route => route.AbortAsync()));
        var row = page.Locator($"li[data-id='{created.WorkflowId}']");
        await Expect(row).ToBeVisibleAsync();
        await Expect(page.Locator("#connection")).ToHaveAttributeAsync("data-state", "polling", new() { Timeout = 20_000 });

        await fixture.Client.ProgressAsync(created.WorkflowId, 2, "polled in");

        await Expect(row.Locator("[role=progressbar]")).ToHaveAttributeAsync("aria-valuenow", "2", new() { Timeout = 15_000 });
        await Expect(row.Locator(".message")).ToHaveTextAsync("polled in");
    }

    [Fact]
    public async Task Chromiums_own_EventSource_gets_every_version_and_after_the_gateway_serving_it_is_killed_resumes_by_itself_with_Last_Event_ID()
    {
        var created = await fixture.Client.CreateAsync("EventSource", totalSteps: 10);
        var page = await _pages.OpenAsync("/__blank", configure: context => context.RouteAsync("**/__blank", route =>
            route.FulfillAsync(new() { ContentType = "text/html", Body = "<!doctype html><title>blank</title>" })));
        await page.EvaluateAsync("""
            id => {
              window.seen = { events: [], opens: 0, errors: 0 };
              // after=0: every version from 1, whenever the stream begins; on reconnect Last-Event-ID wins over it.
              const source = new EventSource(`/api/workflows/${id}/events?after=0`);
              source.onopen = () => seen.opens++;
              source.onerror = () => seen.errors++;
              source.onmessage = (e) => seen.events.push({ id: e.lastEventId, version: JSON.parse(e.data).version });
              window.source = source;
            }
            """, created.WorkflowId);
        for (var step = 1; step <= 3; step++)
        {
            await fixture.Client.ProgressAsync(created.WorkflowId, step);
        }

        await Poll.UntilAsync(async () => await page.EvaluateAsync<int>("seen.events.length") == 4, TimeSpan.FromSeconds(15), "the state and three updates");
        var serving = await fixture.ServingGatewayAsync();
        await serving!.KillAsync();
        try
        {
            for (var step = 4; step <= 6; step++)
            {
                await fixture.Client.ProgressAsync(created.WorkflowId, step);
            }

            // EventSource reconnects after the stream's retry (1-2 s) through nginx to the other gateway, sending Last-Event-ID: 4.
            await Poll.UntilAsync(async () => await page.EvaluateAsync<int>("seen.events.length") >= 7, TimeSpan.FromSeconds(20), "versions 5 to 7 after the reconnect");
            var events = await page.EvaluateAsync<JsonElement>("seen");
            var versions = events.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("version").GetInt64()).ToList();
            Assert.Equal(Enumerable.Range(1, 7).Select(v => (long)v), versions);
            Assert.Equal(versions.Select(v => v.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                events.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("id").GetString()));
            Assert.Equal(2, events.GetProperty("opens").GetInt32());
            Assert.True(events.GetProperty("errors").GetInt32() >= 1, "the drop is an error event before the reconnect");
            await page.EvaluateAsync("source.close()");
        }
        finally
        {
            await serving.RestartAsync();
        }
    }

    [Fact]
    public async Task The_page_configuration_is_served_as_json()
    {
        using var http = new HttpClient { BaseAddress = fixture.Nginx.BaseUrl };

        using var config = JsonDocument.Parse(await http.GetStringAsync("config.json", TestContext.Current.CancellationToken));

        Assert.Equal(JsonValueKind.Object, config.RootElement.ValueKind);
        Assert.True(config.RootElement.TryGetProperty("apiBaseUrl", out _));
    }
}
