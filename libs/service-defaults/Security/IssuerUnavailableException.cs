namespace Vapora.ServiceDefaults.Security;

/// <summary>The token issuer's keys cannot be fetched now, so no token can be checked: answer "try again later".</summary>
public sealed class IssuerUnavailableException(string? metadataAddress, Exception inner)
    : Exception($"The token issuer's discovery document or keys could not be fetched from {metadataAddress ?? "the authority"} (the cause is the inner exception).", inner);
