using Microsoft.Playwright;

namespace Vapora.Browser.Tests;

/// <summary>
/// The browser contexts one test opened, closed when the test ends (a test class owns one and disposes it): a page
/// left open keeps its connections, and a later test that looks for "the gateway serving the page" would find it.
/// </summary>
public sealed class OpenPages(PageFixture fixture) : IAsyncDisposable
{
    private readonly List<IBrowserContext> _contexts = [];

    /// <inheritdoc cref="PageFixture.OpenAsync"/>
    public async Task<IPage> OpenAsync(string path = "/", ViewportSize? viewport = null, string? initScript = null,
        Func<IBrowserContext, Task>? configure = null, Vapora.Testing.NginxServer? nginx = null, bool bypassContentSecurityPolicy = false)
    {
        var page = await fixture.OpenAsync(path, viewport, initScript, configure, nginx, bypassContentSecurityPolicy);
        lock (_contexts)
        {
            _contexts.Add(page.Context);
        }

        return page;
    }

    public async ValueTask DisposeAsync()
    {
        List<IBrowserContext> contexts;
        lock (_contexts)
        {
            contexts = [.. _contexts];
            _contexts.Clear();
        }

        foreach (var context in contexts)
        {
            await context.CloseAsync();
        }
    }
}
