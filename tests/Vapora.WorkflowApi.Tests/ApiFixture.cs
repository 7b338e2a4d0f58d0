using Vapora.Testing;

[assembly: AssemblyFixture(typeof(RedisFixture))]

namespace Vapora.WorkflowApi.Tests;

/// <summary>A workflow-api process (in-memory store) on the assembly's Redis, shared by a test class; tests use their own workflows.</summary>
public sealed class ApiFixture(RedisFixture redis) : IAsyncLifetime
{
    public ServiceProcess Api { get; private set; } = null!;

    public RedisServer Redis => redis.Server;

    public WorkflowApiClient Client => new(Api.Http);

    public async ValueTask InitializeAsync() => Api = await ServiceProcess.StartApiAsync(redis.Server.ConnectionString);

    public ValueTask DisposeAsync() => Api.DisposeAsync();
}
