using Microsoft.AspNetCore.Http.Timeouts;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Vapora.Contracts;
using Vapora.WorkflowApi.Internal;
using Vapora.WorkflowApi.Persistence;

namespace Vapora.WorkflowApi.Workflows;

/// <summary>Registers what the workflow endpoints need.</summary>
public static class WorkflowsExtensions
{
    /// <summary>
    /// Adds the write path, validation, limits, metrics, the 503 answer for an unavailable store, the whole-request
    /// deadline (<c>Storage:RequestTimeout</c>, applied by <c>UseRequestTimeouts</c>) and the shared JSON contract.
    /// </summary>
    public static IHostApplicationBuilder AddWorkflows(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<WorkflowLimits>()
            .BindConfiguration(WorkflowLimits.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<WorkflowStore>();
        builder.Services.AddSingleton<WorkflowRequestValidator>();
        builder.Services.TryAddSingleton<ApiMetrics>();
        builder.Services.AddExceptionHandler<StoreUnavailableHandler>();
        builder.Services.AddSingleton<RequestDeadlineResponder>();
        builder.Services.AddRequestTimeouts();
        builder.Services.AddOptions<RequestTimeoutOptions>().Configure<IOptions<StorageOptions>, RequestDeadlineResponder>((timeouts, storage, responder) =>
            timeouts.AddPolicy(RequestDeadline.PolicyName, new RequestTimeoutPolicy
            {
                Timeout = storage.Value.RequestTimeout,
                TimeoutStatusCode = StatusCodes.Status503ServiceUnavailable,
                WriteTimeoutResponse = responder.WriteAsync,
            }));
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, VaporaJsonContext.Default));
        return builder;
    }
}
