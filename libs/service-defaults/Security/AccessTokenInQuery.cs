using Microsoft.AspNetCore.Builder;

namespace Vapora.ServiceDefaults.Security;

/// <summary>
/// Endpoint metadata: this endpoint accepts the bearer token in the <c>access_token</c> query parameter, for browser
/// APIs that cannot set headers (<c>EventSource</c>). WebSocket upgrades accept it without this marker; REST never does,
/// so REST tokens stay out of URLs and access logs.
/// </summary>
public sealed class AccessTokenInQuery
{
    private AccessTokenInQuery()
    {
    }

    /// <summary>The one instance.</summary>
    public static AccessTokenInQuery Allowed { get; } = new();
}

/// <summary>Marks endpoints with <see cref="AccessTokenInQuery"/>.</summary>
public static class AccessTokenInQueryExtensions
{
    /// <summary>Lets this endpoint take its token from <c>access_token</c> in the query.</summary>
    public static TBuilder AllowAccessTokenInQuery<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(AccessTokenInQuery.Allowed);
}
