using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;

namespace Vapora.Testing.FaultInjection;

/// <summary>Says loudly, at start-up, that this process carries test faults.</summary>
internal sealed partial class AnnounceFaults(CrashBeforePublish crash, DelayStoreCalls delay, ILogger<AnnounceFaults> logger) : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next)
    {
        Loaded(logger, crash.CrashMessage ?? "(none)", delay.Header ?? "(none)");
        return next;
    }

    [LoggerMessage(9000, LogLevel.Warning,
        "TEST FAULT INJECTION IS LOADED (Vapora.Testing.FaultInjection): the process crashes on purpose when an update's message is {CrashMessage}; "
        + "store calls wait for the milliseconds in request header {StoreDelayHeader}")]
    private static partial void Loaded(ILogger logger, string crashMessage, string storeDelayHeader);
}
