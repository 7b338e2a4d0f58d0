using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.Playwright;
using Vapora.Contracts;
using Vapora.Testing;
using static Microsoft.Playwright.Assertions;

namespace Vapora.Browser.Tests;

/// <summary>The live progress page in a real headless Chromium against real processes behind nginx.</summary>
public sealed class ProgressPageTests(PageFixture fixture) : IClassFixture<PageFixture>
{
    [Fact]
    public async Task The_page_shows_a_workflow_and_its_bar_moves_as_updates_are_posted()
    {
        var created = await fixture.Client.CreateAsync("Build images", totalSteps: 10);
        var page = await fixture.OpenAsync();
        var row = page.Locator($"li[data-id='{created.WorkflowId}']");

        await Expect(row.Locator(".name")).ToHaveTextAsync("Build images");
        await Expect(row.Locator(".badge")).ToHaveTextAsync("pending");
        await Expect(page.Locator("#connection")).ToHaveTextAsync("live");
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

        var page = await fixture.OpenAsync($"/#/workflows/{created.WorkflowId}");
        await Expect(page.Locator("#detail-title")).ToHaveTextAsync("Deploy to production");
        await Expect(page.Locator("#history tbody tr")).ToHaveCountAsync(6);
        await Expect(page.Locator("#connection")).ToHaveTextAsync("live");

        // The page holds one socket; kill -9 the gateway that serves it.
        var serving = await Poll.ForAsync(async () =>
        {
            foreach (var gateway in fixture.Gateways)
            {
                if ((await gateway.MetricsAsync()).Value("vapora_gateway_connections") >= 1)
                {
                    return gateway;
                }
            }

            return null;
        }, g => g is not null, TimeSpan.FromSeconds(10), "the gateway holding the page's socket");
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

    private async Task AssertResumedWithoutLossAsync(IPage page, string workflowId)
    {
        for (var step = 6; step <= 10; step++)
        {
            await fixture.Client.ProgressAsync(workflowId, step, $"Rolling out batch {step}");
        }

        await Expect(page.Locator("#history tbody tr")).ToHaveCountAsync(11, new() { Timeout = 20_000 });
        await Expect(page.Locator("#connection")).ToHaveTextAsync("live");
        var states = await page.EvaluateAsync<string[]>("window.__vapora.states");
        Assert.Contains("reconnecting", states);
        Assert.Equal("live", states[^1]);
        var versions = await page.Locator("#history tbody tr").EvaluateAllAsync<long[]>("rows => rows.map(r => Number(r.dataset.version))");
        Assert.Equal(Enumerable.Range(1, 11).Reverse().Select(v => (long)v), versions);
        await Expect(page.Locator("#detail-summary [role=progressbar]")).ToHaveAttributeAsync("aria-valuenow", "10");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(PageFixture.Screenshots, "detail-after-gateway-kill.png"), FullPage = true });
    }

    [Fact]
    public async Task When_sockets_keep_failing_the_page_reconnects_with_exponential_backoff_and_jitter()
    {
        // A real port that takes each connection and drops it before the WebSocket handshake, as a dead gateway would.
        using var refuser = new TcpListener(IPAddress.Loopback, 0);
        refuser.Start();
        var clock = Stopwatch.StartNew();
        var attempts = new List<TimeSpan>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var accepting = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var client = await refuser.AcceptTcpClientAsync(stop.Token);
                lock (attempts)
                {
                    attempts.Add(clock.Elapsed);
                }

                client.Client.LingerState = new LingerOption(true, 0);
            }
        }, stop.Token);
        var socketBase = $"http://127.0.0.1:{((IPEndPoint)refuser.LocalEndpoint).Port}";

        var page = await fixture.OpenAsync(configure: context => context.RouteAsync("**/config.json", route =>
            route.FulfillAsync(new() { Json = new { apiBaseUrl = fixture.Nginx.BaseUrl.ToString().TrimEnd('/'), socketBaseUrl = socketBase } })));

        await Expect(page.Locator("#connection")).ToHaveAttributeAsync("data-state", "reconnecting");
        await Poll.UntilAsync(() => { lock (attempts) { return attempts.Count >= 5; } }, TimeSpan.FromSeconds(20), "five connection attempts");
        await stop.CancelAsync();
        await page.Context.CloseAsync();

        // Attempt n waits between half and all of min(30 s, 500 ms × 2^(n-1)); the ranges do not overlap, so this is the growth.
        List<TimeSpan> times;
        lock (attempts)
        {
            times = [.. attempts.Take(5)];
        }

        for (var n = 1; n < times.Count; n++)
        {
            var ceiling = 500 * Math.Pow(2, n - 1);
            var gap = (times[n] - times[n - 1]).TotalMilliseconds;
            Assert.InRange(gap, ceiling / 2 - 50, ceiling + 500);
        }

        await accepting.ContinueWith(_ => { }, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task The_page_resumes_after_exactly_the_close_codes_the_contract_says_resume()
    {
        int[] codes = [1000, 1001, 1002, 1003, 1005, 1006, 1008, 1009, 1011, 1012, 1013, 4000, 4001, 4123, 4399, 4400, 4401, 4403, 4404, 4450, 4500];
        var page = await fixture.OpenAsync();

        var pageSays = await page.EvaluateAsync<bool[]>("async codes => { const live = await import('./live.js'); return codes.map(live.shouldResume); }", codes);

        Assert.Equal(codes.Select(CloseReason.ShouldResume), pageSays);
    }

    [Fact]
    public async Task An_unknown_workflow_shows_a_clear_not_found_error()
    {
        var page = await fixture.OpenAsync("/#/workflows/wf_does_not_exist");

        await Expect(page.Locator("#error")).ToBeVisibleAsync();
        await Expect(page.Locator("#error")).ToContainTextAsync("not found");
    }

    [Fact]
    public async Task Rows_are_reachable_by_keyboard_and_progress_bars_carry_aria_values()
    {
        var created = await fixture.Client.CreateAsync("Keyboard reachable", totalSteps: 4);
        await fixture.Client.ProgressAsync(created.WorkflowId, 2);
        var page = await fixture.OpenAsync();
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
        var page = await fixture.OpenAsync(viewport: new ViewportSize { Width = 390, Height = 844 });
        await Expect(page.Locator($"li[data-id='{created.WorkflowId}'] .steps")).ToHaveTextAsync("5/8");

        var overflow = await page.EvaluateAsync<bool>("document.documentElement.scrollWidth > document.documentElement.clientWidth");

        Assert.False(overflow, "the page scrolls sideways on a 390 px wide screen");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(PageFixture.Screenshots, "phone.png"), FullPage = true });
    }

    [Fact]
    public async Task Without_websockets_the_page_says_offline_and_keeps_up_by_polling_the_api()
    {
        var created = await fixture.Client.CreateAsync("Polled", totalSteps: 3);
        var page = await fixture.OpenAsync(initScript: "delete window.WebSocket;");
        var row = page.Locator($"li[data-id='{created.WorkflowId}']");
        await Expect(row).ToBeVisibleAsync();
        await Expect(page.Locator("#connection")).ToHaveAttributeAsync("data-state", "offline");

        await fixture.Client.ProgressAsync(created.WorkflowId, 2, "polled in");

        await Expect(row.Locator("[role=progressbar]")).ToHaveAttributeAsync("aria-valuenow", "2", new() { Timeout = 15_000 });
        await Expect(row.Locator(".message")).ToHaveTextAsync("polled in");
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
