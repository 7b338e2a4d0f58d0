using Vapora.Contracts;
using Vapora.WorkflowApi.Internal;

namespace Vapora.WorkflowApi.Workflows;

/// <summary>Registers what the workflow endpoints need.</summary>
public static class WorkflowsExtensions
{
    /// <summary>Adds validation, limits, metrics and the shared JSON contract.</summary>
    public static IHostApplicationBuilder AddWorkflows(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<WorkflowLimits>()
            .BindConfiguration(WorkflowLimits.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<WorkflowRequestValidator>();
        builder.Services.AddSingleton<ApiMetrics>();
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, VaporaJsonContext.Default));
        return builder;
    }
}
