namespace Vapora.Bench.Cli;

/// <summary>What a client does about its token's expiry (<c>tokens --refresh</c>).</summary>
internal enum TokenRenewal
{
    /// <summary>Sends a fresh token on the open socket when the gateway warns with <c>token_expiring</c>.</summary>
    Inband,

    /// <summary>Nothing: the gateway closes at expiry (4401) and the client reconnects with a fresh token and resumes.</summary>
    Reconnect,
}
