namespace Vapora.ServiceDefaults.Security;

/// <summary>How requests are authenticated (<c>Auth:Mode</c>).</summary>
public enum AuthenticationMode
{
    /// <summary>Every request needs a valid bearer token (the default).</summary>
    Jwt,

    /// <summary>No authentication at all: local development only, logged as insecure at start-up.</summary>
    None,
}
