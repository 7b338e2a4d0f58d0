using Microsoft.Extensions.Options;
using Vapora.ServiceDefaults;
using Vapora.WorkflowApi.Internal;
using Vapora.WorkflowApi.Persistence;

namespace Vapora.WorkflowApi.Workflows;

/// <summary>
/// The answer to a workflow request whose <c>Storage:RequestTimeout</c> passed: the store's 503 with Retry-After,
/// counted as <c>vapora.api.store.errors{operation="request_deadline"}</c> and logged once per burst, like the store
/// failures. Whatever the handler had set on the response (an ETag, a Location) is cleared first.
/// </summary>
internal sealed class RequestDeadlineResponder(
    IProblemDetailsService problemDetails,
    IOptions<StorageOptions> options,
    ApiMetrics metrics,
    TimeProvider time,
    ILogger<RequestDeadlineResponder> logger)
{
    private readonly TimeSpan _timeout = options.Value.RequestTimeout;
    private readonly LogBurst _log = new(time);

    /// <summary>The 503, as the result the request answers with.</summary>
    public IResult Answer() => new DeadlinePassed(this);

    private async Task WriteAsync(HttpContext httpContext)
    {
        metrics.StoreError(RequestDeadline.Operation, ApiMetrics.Outage);
        if (_log.ShouldLog(out var skipped))
        {
            ApiLog.RequestDeadlinePassed(logger, httpContext.Request.Method, httpContext.Request.Path, _timeout, skipped);
        }

        httpContext.Response.Clear();
        await StoreUnavailableResponse.WriteAsync(httpContext, problemDetails,
            $"The request did not finish within {_timeout.TotalSeconds:0.###} s: the store is slow. A write may have been stored; "
            + "retry it with If-Match or its Idempotency-Key.", exception: null);
    }

    private sealed class DeadlinePassed(RequestDeadlineResponder responder) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext) => responder.WriteAsync(httpContext);
    }
}
