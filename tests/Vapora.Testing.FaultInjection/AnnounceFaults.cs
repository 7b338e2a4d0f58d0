using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;

namespace Vapora.Testing.FaultInjection;

/// <summary>Says loudly, at start-up, that this process carries test crash points.</summary>
internal sealed partial class AnnounceFaults(CrashBeforePublish crash, ILogger<AnnounceFaults> logger) : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next)
    {
        Loaded(logger, crash.CrashMessage ?? "(none)");
        return next;
    }

    [LoggerMessage(9000, LogLevel.Warning,
        "TEST FAULT INJECTION IS LOADED (Vapora.Testing.FaultInjection): the process crashes on purpose when an update's message is {CrashMessage}")]
    private static partial void Loaded(ILogger logger, string crashMessage);
}
