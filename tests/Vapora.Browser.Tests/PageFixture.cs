using Microsoft.Playwright;
using Vapora.Testing;

[assembly: AssemblyFixture(typeof(RedisFixture))]

namespace Vapora.Browser.Tests;

/// <summary>
/// Real processes (Redis, workflow-api, two gateways behind nginx round-robin, and a second nginx in front of the same
/// gateways that refuses WebSocket upgrades) and a headless Debian Chromium driven by Playwright, shared by the page
/// tests; each test opens its own browser contexts through <see cref="OpenPages"/>, which closes them when it ends.
/// </summary>
public class PageFixture(RedisFixture redis) : IAsyncLifetime
{
    /// <summary>Extra settings for both services (the secured variant turns authentication on).</summary>
    protected virtual IReadOnlyDictionary<string, string?> ServiceSettings => new Dictionary<string, string?>();

    /// <summary>Extra settings for the gateways only.</summary>
    protected virtual IReadOnlyDictionary<string, string?> GatewaySettings => new Dictionary<string, string?>();

    private IPlaywright? _playwright;

    public ServiceProcess Api { get; private set; } = null!;

    public List<ServiceProcess> Gateways { get; } = [];

    public NginxServer Nginx { get; private set; } = null!;

    /// <summary>The same routes, except that every WebSocket upgrade gets 403 (a proxy that breaks WebSockets).</summary>
    public NginxServer NginxWithoutWebSockets { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    public virtual WorkflowApiClient Client => new(Api.Http);

    private const string ChromiumPath = "/usr/bin/chromium";

    public static string Screenshots { get; } = Directory.CreateDirectory(Path.Combine(RepositoryPaths.Root, "artifacts", "screenshots")).FullName;

    public virtual async ValueTask InitializeAsync()
    {
        Api = await ServiceProcess.StartApiAsync(redis.Server.ConnectionString, ServiceSettings);
        var gatewaySettings = new Dictionary<string, string?>(ServiceSettings) { ["Gateway__UnsubscribeGracePeriod"] = "00:00:00" };
        foreach (var (key, value) in GatewaySettings)
        {
            gatewaySettings[key] = value;
        }

        for (var i = 0; i < 2; i++)
        {
            Gateways.Add(await ServiceProcess.StartGatewayAsync(redis.Server.ConnectionString, Api.BaseUrl, gatewaySettings));
        }

        Nginx = await NginxServer.StartAsync(Gateways.Select(g => g.Port), Api.Port);
        NginxWithoutWebSockets = await NginxServer.StartAsync(Gateways.Select(g => g.Port), Api.Port, refuseWebSockets: true);
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException($"{ChromiumPath} not found: install Debian's Chromium (apt-get install -y chromium).");
        }

        // Assertions wait for a condition; the 5 s default only decides how long a failure takes to show, and a
        // slow CI machine should not turn a late page into a failure. Tests that bound a time on purpose say so.
        Assertions.SetDefaultExpectTimeout(15_000);
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
    }

    /// <summary>
    /// A fresh context and page (optionally phone-sized; <paramref name="configure"/> may route requests first), through
    /// <paramref name="nginx"/> (default: <see cref="Nginx"/>). The caller closes its context: use <see cref="OpenPages"/>.
    /// <paramref name="bypassContentSecurityPolicy"/> is for a test that points the page's config.json at servers the
    /// gateway's policy does not name (the policy is derived from the gateway's own settings).
    /// </summary>
    public async Task<IPage> OpenAsync(string path = "/", ViewportSize? viewport = null, string? initScript = null,
        Func<IBrowserContext, Task>? configure = null, NginxServer? nginx = null, bool bypassContentSecurityPolicy = false)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = viewport ?? new ViewportSize { Width = 1200, Height = 800 },
            BypassCSP = bypassContentSecurityPolicy,
        });
        if (initScript is not null)
        {
            await context.AddInitScriptAsync(initScript);
        }

        if (configure is not null)
        {
            await configure(context);
        }

        try
        {
            var page = await context.NewPageAsync();
            await page.GotoAsync(new Uri((nginx ?? Nginx).BaseUrl, path).ToString());
            return page;
        }
        catch
        {
            await context.CloseAsync();
            throw;
        }
    }

    /// <summary>
    /// The one gateway that holds exactly <paramref name="connections"/> connections while the other holds none: the
    /// gateway serving the page under test, once earlier tests' pages have closed theirs.
    /// </summary>
    public async Task<ServiceProcess?> ServingGatewayAsync(int connections = 1) =>
        await ServingGateway.FindAsync(Gateways, m => m.Value("vapora_gateway_connections"), connections,
            $"one gateway to hold the page's {connections} connection(s) and the other none");

    public virtual async ValueTask DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
        await Nginx.DisposeAsync();
        await NginxWithoutWebSockets.DisposeAsync();
        foreach (var gateway in Gateways)
        {
            await gateway.DisposeAsync();
        }

        await Api.DisposeAsync();
    }
}
