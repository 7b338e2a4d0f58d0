using Microsoft.AspNetCore.Http.Timeouts;

namespace Vapora.WorkflowApi.Workflows;

/// <summary>
/// The whole-request bound of <c>/api/workflows</c> (<c>Storage:RequestTimeout</c>), enforced by ASP.NET Core's
/// request timeouts middleware: its token cancels the store calls still to come, and the middleware turns the
/// cancellation into the answer of <see cref="RequestDeadlineResponder"/> (503, Retry-After). Each store call has its
/// own, shorter bound as well (<c>Storage:OperationTimeout</c>); this one caps their sum, which a write multiplies.
/// </summary>
internal static class RequestDeadline
{
    /// <summary>The request timeout policy of the workflow endpoints.</summary>
    public const string PolicyName = "workflows";

    /// <summary>The <c>operation</c> of <c>vapora.api.store.errors</c> that counts requests past their deadline.</summary>
    public const string Operation = "request_deadline";

    /// <summary>
    /// The deadline alone, without the client's hang-up (<see cref="HttpContext.RequestAborted"/> carries both): a
    /// write that the store was asked for goes on if the client leaves, as it always did. None where no deadline
    /// applies (a debugger is attached: the middleware then sets none).
    /// </summary>
    public static CancellationToken Of(HttpContext http) =>
        http.Features.Get<IHttpRequestTimeoutFeature>()?.RequestTimeoutToken ?? CancellationToken.None;

    /// <summary>
    /// Stops the deadline, so that what follows (a publish, writing the answer) is not cut: an answer cut while it is
    /// written would be a 200 with half a body. False when it had passed already: the request must then answer 503.
    /// </summary>
    public static bool TryStop(HttpContext http)
    {
        if (http.Features.Get<IHttpRequestTimeoutFeature>() is not { } deadline)
        {
            return true;
        }

        deadline.DisableTimeout();
        return !deadline.RequestTimeoutToken.IsCancellationRequested;
    }

    /// <summary>Throws the cancellation the middleware answers with 503, for a request whose deadline passed.</summary>
    public static void ThrowPassed(HttpContext http) => Of(http).ThrowIfCancellationRequested();

    /// <summary>
    /// Endpoint filter of the workflow endpoints: once the handler has its answer, the deadline stops (or, had it
    /// passed, the answer is 503), so the result is written whole.
    /// </summary>
    public static async ValueTask<object?> SettleAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var result = await next(context);
        if (!TryStop(context.HttpContext))
        {
            ThrowPassed(context.HttpContext);
        }

        return result;
    }
}
