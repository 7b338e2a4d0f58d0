namespace Vapora.ServiceDefaults.Security;

/// <summary>
/// The request carries a token in more than one place (the <c>Authorization</c> header and <c>access_token</c>, or
/// <c>access_token</c> twice): which one to use is ambiguous, so neither is used and the request is a bad request.
/// </summary>
public sealed class AmbiguousTokenException()
    : Exception("Send the token in one place: the Authorization header or one access_token query parameter, not both.");
