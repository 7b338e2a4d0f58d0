using Microsoft.AspNetCore.Builder;

namespace Vapora.ServiceDefaults.Security;

/// <summary>Marks endpoints with <see cref="AccessTokenInQuery"/>.</summary>
public static class AccessTokenInQueryExtensions
{
    /// <summary>Lets this endpoint take its token from <c>access_token</c> in the query.</summary>
    public static TBuilder AllowAccessTokenInQuery<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(AccessTokenInQuery.Allowed);
}
