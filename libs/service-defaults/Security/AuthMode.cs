namespace Vapora.ServiceDefaults.Security;

/// <summary>Whether authentication is off (Auth:Mode=none).</summary>
public sealed record AuthMode(bool IsOff);
