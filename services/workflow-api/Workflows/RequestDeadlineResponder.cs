using Microsoft.Extensions.Options;
using Vapora.ServiceDefaults;
using Vapora.WorkflowApi.Internal;
using Vapora.WorkflowApi.Persistence;

namespace Vapora.WorkflowApi.Workflows;

/// <summary>
/// Answers a workflow request whose <c>Storage:RequestTimeout</c> passed (the request timeouts middleware calls it):
/// the store's 503 with Retry-After, counted as <c>vapora.api.store.errors{operation="request_deadline"}</c> and logged
/// once per burst, like the store failures.
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

    public async Task WriteAsync(HttpContext httpContext)
    {
        metrics.StoreError(RequestDeadline.Operation);
        if (_log.ShouldLog(out var skipped))
        {
            ApiLog.RequestDeadlinePassed(logger, httpContext.Request.Method, httpContext.Request.Path, _timeout, skipped);
        }

        await StoreUnavailableResponse.WriteAsync(httpContext, problemDetails,
            $"The request did not finish within {_timeout.TotalSeconds:0.###} s: the store is slow. A write may have been stored; "
            + "retry it with If-Match or its Idempotency-Key.", exception: null);
    }
}
