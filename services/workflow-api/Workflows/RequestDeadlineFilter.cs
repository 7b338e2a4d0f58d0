using Microsoft.Extensions.Options;
using Vapora.WorkflowApi.Persistence;

namespace Vapora.WorkflowApi.Workflows;

/// <summary>
/// Bounds every workflow request by <c>Storage:RequestTimeout</c> (a <see cref="RequestDeadline"/> on the request's
/// features). While the handler runs, <see cref="HttpContext.RequestAborted"/> stops at the deadline too, so reading
/// the body is bounded like the store calls. A handler cancelled by the deadline, or one whose answer comes after it,
/// answers 503 with Retry-After (<see cref="RequestDeadlineResponder"/>). The deadline's own state decides, not which
/// cancellation callback happened to run first: ASP.NET Core's request timeouts middleware, used before, recognised
/// its timeout by a linked token that the store call's own cancellation could outrun, and answered such a request
/// 500. The answer is written after the deadline stopped, on the client's token alone, so it is never cut halfway.
/// </summary>
internal sealed class RequestDeadlineFilter(IOptions<StorageOptions> options, TimeProvider time, RequestDeadlineResponder responder) : IEndpointFilter
{
    private readonly TimeSpan _timeout = options.Value.RequestTimeout;

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var clientGone = http.RequestAborted;
        using var deadline = new RequestDeadline(_timeout, time);
        using var either = CancellationTokenSource.CreateLinkedTokenSource(clientGone, deadline.Token);
        http.Features.Set(deadline);
        http.RequestAborted = either.Token;
        try
        {
            var result = await next(context);
            return deadline.TryStop() ? result : responder.Answer();
        }
        catch (OperationCanceledException) when (deadline.HasPassed && !clientGone.IsCancellationRequested)
        {
            return responder.Answer();
        }
        finally
        {
            http.RequestAborted = clientGone;
            http.Features.Set<RequestDeadline>(null);
        }
    }
}
