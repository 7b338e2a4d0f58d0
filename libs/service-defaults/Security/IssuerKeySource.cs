using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace Vapora.ServiceDefaults.Security;

/// <summary>
/// The token issuer's discovery document and keys (<c>Auth:Jwt:Authority</c>), as the JWT bearer handler fetches them,
/// with one change: a failure to fetch them is an <see cref="IssuerUnavailableException"/>. Without it the handler
/// rethrows the fetch's own exception and a request with a token fails with a 500; with it the services answer "try
/// again later" (503, close 1013) during an identity-provider outage, and clients retry.
/// </summary>
internal sealed class IssuerKeySource(IConfigurationManager<OpenIdConnectConfiguration> inner, string? metadataAddress)
    : IConfigurationManager<OpenIdConnectConfiguration>
{
    public async Task<OpenIdConnectConfiguration> GetConfigurationAsync(CancellationToken cancel)
    {
        try
        {
            return await inner.GetConfigurationAsync(cancel);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancel.IsCancellationRequested)
        {
            throw new IssuerUnavailableException(metadataAddress, e);
        }
    }

    public void RequestRefresh() => inner.RequestRefresh();
}
