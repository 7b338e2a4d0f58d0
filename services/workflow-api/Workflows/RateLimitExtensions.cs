using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace Vapora.WorkflowApi.Workflows;

/// <summary>
/// A token bucket per client on POST and PATCH: the token's subject (or client_id) when authenticated, else the
/// remote address (behind a proxy, enable forwarded headers: ASPNETCORE_FORWARDEDHEADERS_ENABLED=true).
/// Over the limit: 429 ProblemDetails with Retry-After.
/// </summary>
public static class RateLimitExtensions
{
    /// <summary>Name of the write policy.</summary>
    public const string WritePolicy = "writes";

    /// <summary>Adds the write limiter.</summary>
    public static IHostApplicationBuilder AddWriteRateLimits(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<RateLimitOptions>()
            .BindConfiguration(RateLimitOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.AddPolicy(WritePolicy, http =>
            {
                var options = Options(http);
                return RateLimitPartition.GetTokenBucketLimiter(ClientKey(http), _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = options.WriteBurst,
                    TokensPerPeriod = options.WritesPerSecond,
                    ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                    QueueLimit = 0,
                    AutoReplenishment = true,
                });
            });
            limiter.OnRejected = async (context, cancellationToken) =>
            {
                var options = Options(context.HttpContext);
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
                var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
                context.HttpContext.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                await Results.Problem(
                    statusCode: StatusCodes.Status429TooManyRequests,
                    title: "Too many requests",
                    detail: $"This client is over its write limit ({options.WritesPerSecond}/s, bursts of {options.WriteBurst}); retry after {seconds} s.")
                    .ExecuteAsync(context.HttpContext);
            };
        });
        return builder;
    }

    private static RateLimitOptions Options(HttpContext http) => http.RequestServices.GetRequiredService<IOptions<RateLimitOptions>>().Value;

    private static string ClientKey(HttpContext http) =>
        http.User.FindFirst("sub")?.Value is { } subject ? "sub:" + subject
        : http.User.FindFirst("client_id")?.Value is { } client ? "client:" + client
        : "ip:" + (http.Connection.RemoteIpAddress?.ToString() ?? "unknown");
}
