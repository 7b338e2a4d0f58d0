using System.Net.Http.Headers;
using Vapora.Testing;

[assembly: AssemblyFixture(typeof(RedisFixture))]

namespace Vapora.Security.Tests;

/// <summary>workflow-api and a gateway with JWT authentication on (HS256), as real processes.</summary>
public sealed class SecuredFixture(RedisFixture redis) : IAsyncLifetime
{
    public TokenFactory Tokens { get; } = new();

    public RedisServer Redis => redis.Server;

    public ServiceProcess Api { get; private set; } = null!;

    public ServiceProcess Gateway { get; private set; } = null!;

    /// <summary>A token that may write and read everything.</summary>
    public string AdminToken => Tokens.Create("workflows:write workflows:read");

    public async ValueTask InitializeAsync()
    {
        Api = await ServiceProcess.StartApiAsync(redis.Server.ConnectionString, Tokens.ServiceSettings());
        Gateway = await StartGatewayAsync();
    }

    /// <summary>A secured gateway; <paramref name="extra"/> adds or overrides settings.</summary>
    public Task<ServiceProcess> StartGatewayAsync(IReadOnlyDictionary<string, string?>? extra = null)
    {
        var settings = Settings.Layer(Tokens.ServiceSettings(), new Dictionary<string, string?>
        {
            ["Gateway__ApiAccessToken"] = Tokens.Create("workflows:read", subject: "gateway", lifetime: TimeSpan.FromDays(1)),
            ["Gateway__UnsubscribeGracePeriod"] = "00:00:00",
        }, extra);
        return ServiceProcess.StartGatewayAsync(redis.Server.ConnectionString, Api.BaseUrl, settings);
    }

    /// <summary>An API client that sends <paramref name="token"/>.</summary>
    public WorkflowApiClient ClientWith(string? token)
    {
        var http = new HttpClient { BaseAddress = Api.BaseUrl };
        if (token is not null)
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return new WorkflowApiClient(http);
    }

    public async ValueTask DisposeAsync()
    {
        await Gateway.DisposeAsync();
        await Api.DisposeAsync();
    }
}
