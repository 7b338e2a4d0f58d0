using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Logging.Debug;
using Microsoft.Extensions.Logging.EventSource;
using Vapora.ServiceDefaults;

namespace Vapora.Deployment.Tests;

/// <summary>Where the services' logs go, as their shared defaults set it up.</summary>
public sealed class LoggingProviderTests
{
    [Fact]
    public void The_services_log_to_the_console_and_to_event_source_and_not_to_a_debugger()
    {
        var builder = WebApplication.CreateBuilder();

        builder.AddServiceDefaults("logging-test");

        var providers = builder.Services.Where(d => d.ServiceType == typeof(ILoggerProvider)).Select(d => d.ImplementationType).ToList();
        Assert.Contains(typeof(ConsoleLoggerProvider), providers);
        Assert.Contains(typeof(EventSourceLoggerProvider), providers);
        // A provider without shared scopes made the two logging scopes every socket holds bigger (docs/benchmarks.md, memory).
        Assert.DoesNotContain(typeof(DebugLoggerProvider), providers);
    }
}
