using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Vapora.WorkflowApi.Persistence;

namespace Vapora.Testing.FaultInjection;

/// <summary>
/// Makes the store slow for one request: every store call the request makes waits first for the milliseconds in its
/// <see cref="FaultOptions.StoreDelayHeader"/> header, inside the call's bound (a store that stalls). The header is a
/// number (every call) or <c>operation=milliseconds</c> pairs separated by <c>;</c> (only those calls, e.g.
/// <c>read_latest=800;append=5000</c>). Calls outside a request (the outbox relay) and requests without the header
/// are not delayed.
/// </summary>
internal sealed class DelayStoreCalls(IOptions<FaultOptions> options, IHttpContextAccessor requests) : IStoreCallHook
{
    public string? Header { get; } = options.Value.StoreDelayHeader is { Length: > 0 } h ? h : null;

    public ValueTask BeforeCallAsync(string operation, CancellationToken cancellationToken) =>
        Header is not null
        && requests.HttpContext?.Request.Headers[Header] is [{ } value]
        && DelayOf(value, operation) is { } milliseconds
            ? new ValueTask(Task.Delay(milliseconds, cancellationToken))
            : ValueTask.CompletedTask;

    private static int? DelayOf(string header, string operation)
    {
        if (int.TryParse(header, NumberStyles.None, CultureInfo.InvariantCulture, out var every))
        {
            return every;
        }

        foreach (var pair in header.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = pair.Split('=', 2);
            if (parts.Length == 2 && parts[0] == operation
                && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var milliseconds))
            {
                return milliseconds;
            }
        }

        return null;
    }
}
