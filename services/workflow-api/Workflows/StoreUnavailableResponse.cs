namespace Vapora.WorkflowApi.Workflows;

/// <summary>
/// The one answer to a request the store could not serve in time or at all: 503 ProblemDetails with Retry-After: 1,
/// whether a store call failed (<see cref="StoreUnavailableHandler"/>) or the whole request ran out of time
/// (<see cref="RequestDeadlineResponder"/>). Clients treat both alike: retry shortly (a write with If-Match or its
/// Idempotency-Key, since it may have been stored).
/// </summary>
internal static class StoreUnavailableResponse
{
    public const string Title = "Store unavailable";

    public static ValueTask<bool> WriteAsync(HttpContext httpContext, IProblemDetailsService problemDetails, string detail, Exception? exception)
    {
        httpContext.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        httpContext.Response.Headers.RetryAfter = "1";
        return problemDetails.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails =
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Title = Title,
                Detail = detail + " Retry shortly.",
            },
        });
    }
}
