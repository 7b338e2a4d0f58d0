using Vapora.Bench.Cli;
using Vapora.Testing;

namespace Vapora.Bench.Clients;

/// <summary>
/// How the clients of a run authenticate (the <c>tokens</c> scenario): HS256 tokens signed with the gateway's key,
/// scope <c>workflows:read</c>, living <paramref name="LifetimeSeconds"/>, and what a client does about their expiry.
/// Part of the <see cref="ConnectPlan"/>, so worker processes mint their own clients' tokens.
/// </summary>
/// <param name="SigningKey">The gateway's <c>Auth__Jwt__SigningKey</c>.</param>
/// <param name="LifetimeSeconds">From issue to expiry.</param>
/// <param name="Renewal">In-band refresh, or reconnect at expiry.</param>
internal sealed record TokenPlan(string SigningKey, double LifetimeSeconds, TokenRenewal Renewal)
{
    /// <summary>The shortest remaining life of a client's first token: time to connect and to be warned before expiry.</summary>
    private static readonly TimeSpan FirstTokenFloor = TimeSpan.FromSeconds(5);

    // Issuer and audience are TokenFactory's constants; its own key is not used (every token is signed with SigningKey).
    private static readonly Lazy<TokenFactory> Factory = new(() => new TokenFactory());

    /// <summary>A token issued now.</summary>
    public string Fresh(string subject) =>
        Factory.Value.Create("workflows:read", lifetime: TimeSpan.FromSeconds(LifetimeSeconds), subject: subject, secret: SigningKey);

    /// <summary>
    /// A client's first token, issued at a random moment of the last lifetime (but with at least a few seconds left), as
    /// the tokens of clients that came at different times are: expiries are spread evenly over a lifetime, the steady
    /// state of a long-running fleet, rather than all falling in the second the harness connected them.
    /// </summary>
    public string First(string subject)
    {
        var lifetime = TimeSpan.FromSeconds(LifetimeSeconds);
        var floor = FirstTokenFloor < lifetime / 2 ? FirstTokenFloor : lifetime / 2;
        var remaining = floor + (lifetime - floor) * Random.Shared.NextDouble();
        return Factory.Value.Create("workflows:read", lifetime: remaining, subject: subject, secret: SigningKey,
            notBefore: DateTime.UtcNow - (lifetime - remaining));
    }
}
