using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Vapora.WorkflowApi.Persistence;

namespace Vapora.Testing.FaultInjection;

/// <summary>
/// Makes the store slow for one request: every store call the request makes waits first for the milliseconds in its
/// <see cref="FaultOptions.StoreDelayHeader"/> header, inside the call's bound (a store that stalls). Calls outside a
/// request (the outbox relay) and requests without the header are not delayed.
/// </summary>
internal sealed class DelayStoreCalls(IOptions<FaultOptions> options, IHttpContextAccessor requests) : IStoreCallHook
{
    public string? Header { get; } = options.Value.StoreDelayHeader is { Length: > 0 } h ? h : null;

    public ValueTask BeforeCallAsync(string operation, CancellationToken cancellationToken) =>
        Header is not null
        && requests.HttpContext?.Request.Headers[Header] is [{ } value]
        && int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var milliseconds)
            ? new ValueTask(Task.Delay(milliseconds, cancellationToken))
            : ValueTask.CompletedTask;
}
