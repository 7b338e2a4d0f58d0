using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Vapora.WorkflowApi.Lifecycle;

/// <summary>Registers the data lifecycle: its settings and the retention sweep.</summary>
public static class RetentionExtensions
{
    /// <summary>Adds <c>Retention:*</c>, validated at start, and the sweep.</summary>
    public static IHostApplicationBuilder AddDataRetention(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<RetentionOptions>()
            .BindConfiguration(RetentionOptions.SectionName)
            .ValidateDataAnnotations()
            .Validate(o => o.DeleteAfter > o.CompactAfter,
                "Retention:DeleteAfter must be longer than Retention:CompactAfter: a workflow is compacted before it is deleted.")
            .Validate(o => o.IdempotencyKeyLifetime < o.CompactAfter,
                "Retention:IdempotencyKeyLifetime must be shorter than Retention:CompactAfter: a key must not outlive the history it points to.")
            .ValidateOnStart();
        builder.Services.TryAddSingleton<RetentionMetrics>();
        builder.Services.AddHostedService<RetentionSweeper>();
        return builder;
    }
}
