using System.Net.Http.Headers;
using Microsoft.Playwright;
using Vapora.Testing;
using static Microsoft.Playwright.Assertions;

namespace Vapora.Browser.Tests;

/// <summary>The page with authentication on: the token comes from the page's URL, and refusals are shown plainly.</summary>
public sealed class SecuredPageTests(SecuredPageFixture fixture) : IClassFixture<SecuredPageFixture>, IAsyncDisposable
{
    private readonly OpenPages _pages = new(fixture);

    public ValueTask DisposeAsync() => _pages.DisposeAsync();

    [Fact]
    public async Task A_token_for_one_workflow_shows_it_live_and_says_plainly_that_another_is_forbidden()
    {
        var mine = await fixture.Client.CreateAsync("Mine", totalSteps: 4);
        var theirs = await fixture.Client.CreateAsync("Theirs", totalSteps: 4);
        var token = fixture.Tokens.Create(workflows: [mine.WorkflowId]);

        var page = await _pages.OpenAsync($"/?token={token}#/workflows/{mine.WorkflowId}");
        await Expect(page.Locator("#detail-title")).ToHaveTextAsync("Mine");
        await Expect(page.Locator("#connection")).ToHaveAttributeAsync("data-state", "live");
        await fixture.Client.ProgressAsync(mine.WorkflowId, 2, "visible");
        await Expect(page.Locator("#detail-summary [role=progressbar]")).ToHaveAttributeAsync("aria-valuenow", "2");

        await page.EvaluateAsync($"location.hash = '#/workflows/{theirs.WorkflowId}'");
        await Expect(page.Locator("#error")).ToContainTextAsync($"You may not see workflow {theirs.WorkflowId}");
    }

    [Fact]
    public async Task The_token_leaves_the_address_bar_once_read_and_the_page_forbids_framing_without_breaking_itself()
    {
        var mine = await fixture.Client.CreateAsync("Mine", totalSteps: 4);
        var token = fixture.Tokens.Create(workflows: [mine.WorkflowId]);
        var violations = new List<string>();

        var page = await _pages.OpenAsync($"/?token={token}&view=1#/workflows/{mine.WorkflowId}",
            configure: context =>
            {
                context.Console += (_, message) =>
                {
                    if (message.Text.Contains("Content Security Policy", StringComparison.Ordinal))
                    {
                        violations.Add(message.Text);
                    }
                };
                return Task.CompletedTask;
            });
        await Expect(page.Locator("#connection")).ToHaveAttributeAsync("data-state", "live");

        Assert.DoesNotContain(token, page.Url, StringComparison.Ordinal);
        Assert.EndsWith($"/?view=1#/workflows/{mine.WorkflowId}", page.Url, StringComparison.Ordinal);
        var reloaded = await page.ReloadAsync();
        var policy = reloaded!.Headers["content-security-policy"];
        Assert.Contains("frame-ancestors 'none'", policy, StringComparison.Ordinal);
        Assert.Contains("default-src 'self'", policy, StringComparison.Ordinal);
        // The token stays for the tab's session only: the reloaded page still has it.
        await Expect(page.Locator("#connection")).ToHaveAttributeAsync("data-state", "live");
        await Expect(page.Locator("#detail-title")).ToHaveTextAsync("Mine");
        Assert.Empty(violations);

        // The entry was replaced, not pushed: Back leads to the page before (the blank tab), not to the URL with the token.
        await page.GoBackAsync();
        Assert.DoesNotContain(token, page.Url, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_page_stays_live_across_three_token_lifetimes_refreshing_in_band_without_a_reconnect()
    {
        var mine = await fixture.Client.CreateAsync("Long watch", totalSteps: 10);
        var lifetime = TimeSpan.FromSeconds(6);
        string Token() => fixture.Tokens.Create("workflows:read", lifetime: lifetime); // the read scope, so the list loads too

        // The embedding host's part (README: it keeps sessionStorage 'vapora.token' fresh), as a host script in the page
        // does it: a new token every second from the host's issuer (here the test's), from the page's first moment on, so
        // even a page that loads slowly on a busy machine finds a fresh token when its first one nears expiry. The page
        // reads it half-way through a 6 s token's life or when the gateway warns.
        var page = await _pages.OpenAsync($"/?token={Token()}#/workflows/{mine.WorkflowId}",
            initScript: "setInterval(async () => sessionStorage.setItem('vapora.token', await window.issueVaporaToken()), 1000);",
            configure: context => context.ExposeFunctionAsync("issueVaporaToken", Token));
        await Expect(page.Locator("#connection")).ToHaveAttributeAsync("data-state", "live");
        // What this test watches is the token's renewal on an open WebSocket. A page whose first sockets went unanswered
        // (a busy machine) may be live over a fallback transport at first and move to the WebSocket when the client's
        // probe finds it works (15–30 s later): that move is not a reconnect, so the watch starts on the WebSocket.
        try
        {
            await Expect(page.Locator("#connection")).ToHaveAttributeAsync("data-transport", "websocket", new() { Timeout = 40_000 });
        }
        catch (PlaywrightException ex)
        {
            // Say what the page went through (a run on a fresh clone once saw it stop, offline, with no reason kept).
            throw new Xunit.Sdk.XunitException($"The page never got onto the WebSocket. {await DescribeAsync(page)}", ex);
        }

        // The watch starts once a refresh was accepted on it: its socket then surely holds a token the gateway took. On a
        // slow machine the first socket may open with the address bar's token already too old, be closed with 4401
        // before any frame and be opened again with the host's fresh token; that start is not what this test watches.
        var acceptedAtStart = await AcceptedRefreshesAsync();
        await Poll.UntilAsync(async () => await AcceptedRefreshesAsync() > acceptedAtStart, TimeSpan.FromSeconds(30), "a first in-band refresh");
        await Expect(page.Locator("#connection")).ToHaveAttributeAsync("data-state", "live");
        var accepted = await AcceptedRefreshesAsync();
        var statesBefore = await page.EvaluateAsync<int>("window.__vapora.states.length");

        // Three lifetimes, with an update every other second.
        var end = DateTime.UtcNow + 3 * lifetime + TimeSpan.FromSeconds(2);
        var step = 0;
        using var cadence = new PeriodicTimer(TimeSpan.FromSeconds(2)); // the producer's pace, not a wait for a result
        while (DateTime.UtcNow < end && await cadence.WaitForNextTickAsync(TestContext.Current.CancellationToken))
        {
            step++;
            await fixture.Client.ProgressAsync(mine.WorkflowId, Math.Min(step, 10), $"step {step}");
        }

        try
        {
            await Expect(page.Locator("#connection")).ToHaveAttributeAsync("data-state", "live");
        }
        catch (PlaywrightException ex)
        {
            throw new Xunit.Sdk.XunitException($"The page is no longer live after three token lifetimes. {await DescribeAsync(page)}", ex);
        }

        // The list's REST loads (every 10 s) use the fresh token too, not the address bar's that expired long ago.
        await Expect(page.Locator("#error")).ToBeHiddenAsync();
        Assert.True(await page.EvaluateAsync<int>("window.__vapora.listRefreshes") >= 2, "the list loaded at start and again after the first token expired");
        var states = await page.EvaluateAsync<string[]>("window.__vapora.states");
        var transports = await page.EvaluateAsync<string?[]>("window.__vapora.transports");
        // No "reconnecting" (nor anything else) since it was live.
        Assert.True(states.Length == statesBefore, $"the indicator changed {states.Length - statesBefore} times since it was live; "
            + $"states: {string.Join(", ", states)}; transports: {string.Join(", ", transports.Select(t => t ?? "-"))}");
        var refreshed = await AcceptedRefreshesAsync() - accepted;
        Assert.True(refreshed >= 3, $"at least one in-band refresh per lifetime: {refreshed}");
        var versions = await page.Locator("#history tbody tr").EvaluateAllAsync<long[]>("rows => rows.map(r => Number(r.dataset.version))");
        Assert.Equal(Enumerable.Range(1, step + 1).Reverse().Select(v => (long)v), versions);
    }

    /// <summary>The page's indicator history (states, transports, scheduled waits) and its error box, for a failure message.</summary>
    private static async Task<string> DescribeAsync(IPage page)
    {
        var states = await page.EvaluateAsync<string[]>("window.__vapora.states");
        var transports = await page.EvaluateAsync<string?[]>("window.__vapora.transports");
        var waits = await page.EvaluateAsync<string>("JSON.stringify(window.__vapora.waits)");
        var error = await page.Locator("#error").IsVisibleAsync() ? await page.Locator("#error").InnerTextAsync() : "(none shown)";
        return $"States: {string.Join(", ", states)}; transports: {string.Join(", ", transports.Select(t => t ?? "-"))}; waits: {waits}; error box: {error}";
    }

    /// <summary>In-band refreshes the gateways accepted so far (the page's socket is on one of them; earlier pages' may still be closing).</summary>
    private async Task<double> AcceptedRefreshesAsync()
    {
        var total = 0.0;
        foreach (var gateway in fixture.Gateways)
        {
            total += (await gateway.MetricsAsync()).Value("vapora_gateway_token_refreshes_total", "result=\"accepted\"");
        }

        return total;
    }

    [Fact]
    public async Task Without_a_token_the_page_says_why_nothing_loads()
    {
        var page = await _pages.OpenAsync("/");

        // Both reasons stay in the box, whichever of the list's 401 and the watch's 4401 close arrived first.
        await Expect(page.Locator("#error")).ToContainTextAsync("Could not load workflows");
        await Expect(page.Locator("#error")).ToContainTextAsync("no valid token");
        await Expect(page.Locator("#connection")).Not.ToHaveAttributeAsync("data-state", "live");
    }
}

/// <summary>The page's processes with JWT authentication on.</summary>
public sealed class SecuredPageFixture(RedisFixture redis) : PageFixture(redis)
{
    public TokenFactory Tokens { get; } = new();

    protected override IReadOnlyDictionary<string, string?> ServiceSettings => Tokens.ServiceSettings();

    protected override IReadOnlyDictionary<string, string?> GatewaySettings => new Dictionary<string, string?>
    {
        ["Gateway__ApiAccessToken"] = Tokens.Create("workflows:read", subject: "gateway", lifetime: TimeSpan.FromDays(1)),
    };

    public override WorkflowApiClient Client
    {
        get
        {
            var http = new HttpClient { BaseAddress = Api.BaseUrl };
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Tokens.Create("workflows:write workflows:read"));
            return new WorkflowApiClient(http);
        }
    }
}
