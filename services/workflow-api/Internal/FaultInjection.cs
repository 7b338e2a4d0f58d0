using System.Diagnostics;
using Microsoft.Extensions.Options;
using Vapora.WorkflowApi.Persistence;

namespace Vapora.WorkflowApi.Internal;

/// <summary>Test-only crash points (section <c>Faults</c>); all off unless configured, and loudly logged when on.</summary>
public sealed class FaultOptions
{
    /// <summary>Configuration section.</summary>
    public const string SectionName = "Faults";

    /// <summary>
    /// When an accepted update carries exactly this message, the process kills itself (SIGKILL) after the store
    /// accepted it and before it is published: the crash the outbox relay exists for.
    /// </summary>
    public string? CrashBeforePublishWhenMessageIs { get; set; }
}

/// <summary>Applies <see cref="FaultOptions"/>.</summary>
public sealed class FaultInjection(IOptions<FaultOptions> options, ILogger<FaultInjection> logger) : IHostedService
{
    private readonly string? _crashMessage = options.Value.CrashBeforePublishWhenMessageIs is { Length: > 0 } m ? m : null;

    /// <summary>Called between store and publish.</summary>
    public void BeforePublish(StoredUpdate update)
    {
        if (_crashMessage is not null && update.Update.Message == _crashMessage)
        {
            ApiLog.FaultCrash(logger, update.Update.WorkflowId, update.Update.Version);
            Process.GetCurrentProcess().Kill();
        }
    }

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (_crashMessage is not null)
        {
            ApiLog.FaultsEnabled(logger);
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
