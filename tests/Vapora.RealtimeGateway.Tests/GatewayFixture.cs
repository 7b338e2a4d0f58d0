using System.Text.Json;
using Vapora.Testing;

[assembly: AssemblyFixture(typeof(RedisFixture))]

namespace Vapora.RealtimeGateway.Tests;

/// <summary>
/// Redis, a workflow-api process and a realtime-gateway process shared by a test class. Tests use their own
/// workflows; tests that count connections or channels start a gateway of their own.
/// </summary>
public sealed class GatewayFixture(RedisFixture redis) : ISystemFixture, IAsyncLifetime
{
    /// <summary>Gateway settings for tests: unsubscribe at once so that channel counts settle quickly.</summary>
    public static readonly IReadOnlyDictionary<string, string?> TestGatewaySettings = new Dictionary<string, string?>
    {
        ["Gateway__UnsubscribeGracePeriod"] = "00:00:00",
    };

    public RedisServer Redis => redis.Server;

    public ServiceProcess Api { get; private set; } = null!;

    public ServiceProcess Gateway { get; private set; } = null!;

    public WorkflowApiClient Client => new(Api.Http);

    public async ValueTask InitializeAsync()
    {
        Api = await ServiceProcess.StartApiAsync(redis.Server.ConnectionString);
        Gateway = await StartGatewayAsync();
    }

    /// <summary>Another gateway process on the same Redis and API.</summary>
    public Task<ServiceProcess> StartGatewayAsync(IReadOnlyDictionary<string, string?>? settings = null) =>
        ServiceProcess.StartGatewayAsync(redis.Server.ConnectionString, Api.BaseUrl, Settings.Layer(TestGatewaySettings, settings));

    public async ValueTask DisposeAsync()
    {
        await Gateway.DisposeAsync();
        await Api.DisposeAsync();
    }
}

/// <summary>Reading updates off a socket in tests.</summary>
public static class SocketExtensions
{
    /// <summary>Opens the single-workflow stream on a gateway.</summary>
    public static Task<TestSocket> WatchAsync(this ServiceProcess gateway, string workflowId, long? after = null) =>
        TestSocket.ConnectAsync(gateway.WebSocketUrl($"/api/workflows/{workflowId}/updates" + (after is null ? "" : $"?after={after}")));

    /// <summary>The update inside a /ws frame, or the frame itself on a single-workflow stream.</summary>
    public static JsonElement UpdateOf(this JsonElement frame) =>
        frame.TryGetProperty("data", out var data) ? data : frame;
}

/// <summary>A workflow-api and a gateway on some Redis: what the backplane-independent suites need.</summary>
public interface ISystemFixture
{
    ServiceProcess Gateway { get; }

    WorkflowApiClient Client { get; }

    /// <summary>Another gateway process on the same Redis and API.</summary>
    Task<ServiceProcess> StartGatewayAsync(IReadOnlyDictionary<string, string?>? settings = null);
}
