using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;

namespace Vapora.WorkflowApi.Workflows;

/// <summary>Per-client limits on writes (section <c>RateLimits</c>).</summary>
public sealed class RateLimitOptions
{
    /// <summary>Configuration section.</summary>
    public const string SectionName = "RateLimits";

    /// <summary>Sustained writes per second per client.</summary>
    [Range(1, 1_000_000)]
    public int WritesPerSecond { get; set; } = 100;

    /// <summary>Writes a client may burst above the sustained rate.</summary>
    [Range(1, 1_000_000)]
    public int WriteBurst { get; set; } = 200;
}

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
        var options = builder.Configuration.GetSection(RateLimitOptions.SectionName).Get<RateLimitOptions>() ?? new RateLimitOptions();
        Validator.ValidateObject(options, new ValidationContext(options), validateAllProperties: true);
        builder.Services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.AddPolicy(WritePolicy, http => RateLimitPartition.GetTokenBucketLimiter(ClientKey(http), _ => new TokenBucketRateLimiterOptions
            {
                TokenLimit = options.WriteBurst,
                TokensPerPeriod = options.WritesPerSecond,
                ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                QueueLimit = 0,
                AutoReplenishment = true,
            }));
            limiter.OnRejected = async (context, cancellationToken) =>
            {
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

    private static string ClientKey(HttpContext http) =>
        http.User.FindFirst("sub")?.Value is { } subject ? "sub:" + subject
        : http.User.FindFirst("client_id")?.Value is { } client ? "client:" + client
        : "ip:" + (http.Connection.RemoteIpAddress?.ToString() ?? "unknown");
}
