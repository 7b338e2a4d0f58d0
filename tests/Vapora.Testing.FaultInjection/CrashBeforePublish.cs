using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Vapora.WorkflowApi.Messaging;
using Vapora.WorkflowApi.Persistence;

namespace Vapora.Testing.FaultInjection;

/// <summary>Kills the API process between store and publish when an update carries the configured message.</summary>
internal sealed partial class CrashBeforePublish(IOptions<FaultOptions> options, ILogger<CrashBeforePublish> logger) : IBeforePublishHook
{
    public string? CrashMessage { get; } = options.Value.CrashBeforePublishWhenMessageIs is { Length: > 0 } m ? m : null;

    public void BeforePublish(StoredUpdate update)
    {
        if (CrashMessage is not null && update.Update.Message == CrashMessage)
        {
            Crashing(logger, update.Update.WorkflowId, update.Update.Version);
            Process.GetCurrentProcess().Kill();
        }
    }

    [LoggerMessage(9001, LogLevel.Critical, "Fault injection: killing this process after storing {WorkflowId} v{Version}, before publishing it")]
    private static partial void Crashing(ILogger logger, string workflowId, long version);
}
