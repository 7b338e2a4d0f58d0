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
    /// deadline (<c>Storage:RequestTimeout</c>, applied by <see cref="RequestDeadlineFilter"/>) and the JSON contract.
    /// </summary>
    public static IHostApplicationBuilder AddWorkflows(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<WorkflowLimits>()
            .BindConfiguration(WorkflowLimits.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<WorkflowRules>();
        builder.Services.AddSingleton<UpdateWriter>();
        builder.Services.AddSingleton<WorkflowRequestValidator>();
        builder.Services.TryAddSingleton<ApiMetrics>();
        builder.Services.AddExceptionHandler<StoreUnavailableHandler>();
        builder.Services.AddSingleton<RequestDeadlineResponder>();
        builder.Services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.TypeInfoResolverChain.Insert(0, VaporaJsonContext.Default);
            o.SerializerOptions.TypeInfoResolverChain.Insert(1, ApiJsonContext.Default);
        });
        return builder;
    }
}
