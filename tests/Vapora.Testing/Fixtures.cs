using Xunit;

namespace Vapora.Testing;

/// <summary>One Redis per test assembly (register with <c>[assembly: AssemblyFixture(typeof(RedisFixture))]</c>).</summary>
public sealed class RedisFixture : IAsyncLifetime
{
    public RedisServer Server { get; private set; } = null!;

    public async ValueTask InitializeAsync() => Server = await RedisServer.StartAsync();

    public ValueTask DisposeAsync() => Server.DisposeAsync();
}
