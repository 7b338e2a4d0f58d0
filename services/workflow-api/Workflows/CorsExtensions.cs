namespace Vapora.WorkflowApi.Workflows;

/// <summary>
/// Cross-origin reads for the live progress page when it is served from another origin than the API
/// (<c>Cors:AllowedOrigins</c>; empty by default: same-origin only, as behind the load balancer).
/// </summary>
public static class CorsExtensions
{
    /// <summary>Name of the policy.</summary>
    public const string PolicyName = "progress-page";

    /// <summary>The configuration key of the allowed origins (a list).</summary>
    public const string AllowedOriginsKey = "Cors:AllowedOrigins";

    /// <summary>Adds the policy from configuration.</summary>
    public static IHostApplicationBuilder AddPageCors(this IHostApplicationBuilder builder)
    {
        var origins = builder.Configuration.GetSection(AllowedOriginsKey).Get<string[]>() ?? [];
        builder.Services.AddCors(o => o.AddPolicy(PolicyName, policy => policy
            .WithOrigins(origins)
            .WithMethods("GET")
            .WithHeaders("Authorization", "Accept")
            .WithExposedHeaders("ETag")));
        return builder;
    }
}
