using Microsoft.Extensions.DependencyInjection.Extensions;
using Vapora.Contracts;
using Vapora.WorkflowApi.Internal;

namespace Vapora.WorkflowApi.Workflows;

/// <summary>Registers what the workflow endpoints need.</summary>
public static class WorkflowsExtensions
{
    /// <summary>Adds the write path, validation, limits, metrics, the 503 answer for an unavailable store and the shared JSON contract.</summary>
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
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, VaporaJsonContext.Default));
        return builder;
    }
}
