using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Vapora.RealtimeGateway.Transport.WebSockets;

namespace Vapora.RealtimeGateway.Tests.Units;

/// <summary>The middleware that puts the batching stream under every upgraded connection (ahead of the WebSocket handshake).</summary>
public sealed class WriteBatchingUpgradeTests
{
    [Fact]
    public async Task An_upgradable_request_is_upgraded_to_a_batching_stream_over_the_servers_own_and_the_transport_finds_it()
    {
        var connection = new MemoryStream();
        var http = Request(new FakeUpgrade(isUpgradable: true, connection));
        Stream? upgraded = null;

        await Pipeline(async context => upgraded = await context.Features.Get<IHttpUpgradeFeature>()!.UpgradeAsync())(http);

        var batching = Assert.IsType<WriteBatchingStream>(upgraded);
        Assert.Same(batching, WriteBatchingUpgrade.BatchingStreamOf(http));
        await batching.WriteAsync("x"u8.ToArray(), TestContext.Current.CancellationToken);
        Assert.Equal("x"u8.ToArray(), connection.ToArray());
    }

    [Fact]
    public async Task Other_requests_keep_the_servers_feature_and_have_no_batching_stream()
    {
        var upgrade = new FakeUpgrade(isUpgradable: false, new MemoryStream());
        var http = Request(upgrade);

        await Pipeline(_ => Task.CompletedTask)(http);

        Assert.Same(upgrade, http.Features.Get<IHttpUpgradeFeature>());
        Assert.Null(WriteBatchingUpgrade.BatchingStreamOf(http));
    }

    private static DefaultHttpContext Request(IHttpUpgradeFeature upgrade)
    {
        var http = new DefaultHttpContext();
        http.Features.Set(upgrade);
        return http;
    }

    private static RequestDelegate Pipeline(RequestDelegate endpoint)
    {
        var app = new ApplicationBuilder(new ServiceCollection().BuildServiceProvider());
        WriteBatchingUpgrade.Use(app).Run(endpoint);
        return app.Build();
    }

    private sealed class FakeUpgrade(bool isUpgradable, Stream stream) : IHttpUpgradeFeature
    {
        public bool IsUpgradableRequest => isUpgradable;

        public Task<Stream> UpgradeAsync() => Task.FromResult(stream);
    }
}
