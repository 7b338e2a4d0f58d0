using Microsoft.AspNetCore.Diagnostics;
using Vapora.WorkflowApi.Persistence;

namespace Vapora.WorkflowApi.Workflows;

/// <summary>
/// Answers a request whose store call failed with <see cref="StoreUnavailableException"/> with 503 ProblemDetails and
/// Retry-After, for every endpoint (the failure was already logged and counted where it happened).
/// </summary>
internal sealed class StoreUnavailableHandler(IProblemDetailsService problemDetails) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken) =>
        exception is StoreUnavailableException unavailable
        && await StoreUnavailableResponse.WriteAsync(httpContext, problemDetails, unavailable.Message, exception);
}
