using Microsoft.Playwright;
using Vapora.Testing;

[assembly: AssemblyFixture(typeof(RedisFixture))]

namespace Vapora.Browser.Tests;

/// <summary>
/// Real processes (Redis, workflow-api, two gateways behind nginx round-robin) and a headless Debian Chromium
/// driven by Playwright, shared by the page tests; each test opens its own browser context.
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
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException($"{ChromiumPath} not found: install Debian's Chromium (apt-get install -y chromium).");
        }

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
    }

    /// <summary>A fresh context and page (optionally phone-sized; <paramref name="configure"/> may route requests first).</summary>
    public async Task<IPage> OpenAsync(string path = "/", ViewportSize? viewport = null, string? initScript = null, Func<IBrowserContext, Task>? configure = null)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = viewport ?? new ViewportSize { Width = 1200, Height = 800 } });
        if (initScript is not null)
        {
            await context.AddInitScriptAsync(initScript);
        }

        if (configure is not null)
        {
            await configure(context);
        }

        var page = await context.NewPageAsync();
        await page.GotoAsync(new Uri(Nginx.BaseUrl, path).ToString());
        return page;
    }

    public virtual async ValueTask DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
        await Nginx.DisposeAsync();
        foreach (var gateway in Gateways)
        {
            await gateway.DisposeAsync();
        }

        await Api.DisposeAsync();
    }
}
