using Vapora.Testing;

namespace Vapora.Security.Tests;

/// <summary>
/// A Redis that loads deploy/redis/users.acl as deployments do, with workflow-api logged in as <c>vapora-api</c>
/// (credentials from Redis__User/Redis__Password) and a gateway as <c>vapora-gateway</c> (credentials in the
/// connection string, <c>user=</c> and <c>password=</c>).
/// </summary>
public sealed class RedisAclFixture : IAsyncLifetime
{
    public RedisServer Redis { get; private set; } = null!;

    public ServiceProcess Api { get; private set; } = null!;

    public ServiceProcess Gateway { get; private set; } = null!;

    public WorkflowApiClient Client => new(Api.Http);

    public async ValueTask InitializeAsync()
    {
        Redis = await RedisServer.StartWithAclAsync();
        Api = await ServiceProcess.StartApiAsync(Redis.ConnectionString, RedisAcl.ServiceSettings(RedisAcl.ApiUser));
        Gateway = await ServiceProcess.StartGatewayAsync(Redis.ConnectionString + RedisAcl.Credentials(RedisAcl.GatewayUser), Api.BaseUrl,
            new Dictionary<string, string?> { ["Gateway__UnsubscribeGracePeriod"] = "00:00:00" });
    }

    public async ValueTask DisposeAsync()
    {
        await Gateway.DisposeAsync();
        await Api.DisposeAsync();
        await Redis.DisposeAsync();
    }
}
