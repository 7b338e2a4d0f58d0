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
