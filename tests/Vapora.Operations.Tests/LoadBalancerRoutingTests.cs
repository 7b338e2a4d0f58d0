using System.Net;
using Vapora.Testing;

namespace Vapora.Operations.Tests;

/// <summary>
/// docker-compose's nginx (deploy/nginx/vapora-routes.conf), in front of a real gateway and API: the page and the API
/// are routed, the instances' /metrics and /health/* are not (Prometheus and health checks reach them directly).
/// </summary>
public sealed class LoadBalancerRoutingTests
{
    [Fact]
    public async Task The_load_balancer_serves_the_page_and_the_api_but_not_metrics_or_health()
    {
        await using var redis = await RedisServer.StartProcessAsync();
        await using var api = await ServiceProcess.StartApiAsync(redis.ConnectionString);
        await using var gateway = await ServiceProcess.StartGatewayAsync(redis.ConnectionString, api.BaseUrl);
        await using var nginx = await NginxServer.StartAsync([gateway.Port], api.Port);
        using var http = new HttpClient { BaseAddress = nginx.BaseUrl };

        foreach (var path in new[] { "/", "/app.js", "/config.json", "/api/workflows" })
        {
            using var response = await http.GetAsync(path, TestContext.Current.CancellationToken);
            Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode}");
        }

        foreach (var path in new[] { "/metrics", "/health/ready", "/health/live" })
        {
            using var response = await http.GetAsync(path, TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            // Still there on the instance itself.
            using var direct = await gateway.Http.GetAsync(path.TrimStart('/'), TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.OK, direct.StatusCode);
        }
    }
}
