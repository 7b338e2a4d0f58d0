using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;

namespace Vapora.RealtimeGateway.UpdateLog;

/// <summary>Registers the update log: workflow-api's state and history over HTTP, with retries, timeouts and a circuit breaker.</summary>
internal static class UpdateLogExtensions
{
    public static IHostApplicationBuilder AddUpdateLog(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<UpdateLogOptions>()
            .BindConfiguration(UpdateLogOptions.SectionName)
            .ValidateDataAnnotations()
            .Validate(o => o.WorkflowApiUrl is { IsAbsoluteUri: true }, "Gateway:WorkflowApiUrl must be an absolute URL of workflow-api, such as http://127.0.0.1:5080.")
            .ValidateOnStart();

        builder.Services.AddHttpClient<IUpdateLog, WorkflowApiClient>((sp, http) =>
            {
                var options = sp.GetRequiredService<IOptions<UpdateLogOptions>>().Value;
                http.BaseAddress = options.WorkflowApiUrl;
                if (!string.IsNullOrWhiteSpace(options.ApiAccessToken))
                {
                    http.DefaultRequestHeaders.Authorization = new("Bearer", options.ApiAccessToken);
                }
            })
            .AddStandardResilienceHandler(o =>
            {
                o.AttemptTimeout.Timeout = TimeSpan.FromSeconds(3);
                o.TotalRequestTimeout.Timeout = TimeSpan.FromSeconds(10);
                o.CircuitBreaker.SamplingDuration = TimeSpan.FromSeconds(10);
                o.Retry.MaxRetryAttempts = 3;
                o.Retry.UseJitter = true;
            });
        return builder;
    }
}
