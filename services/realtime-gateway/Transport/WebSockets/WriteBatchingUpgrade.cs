using Microsoft.AspNetCore.Http.Features;

namespace Vapora.RealtimeGateway.Transport.WebSockets;

/// <summary>
/// Puts a <see cref="WriteBatchingStream"/> under every upgraded connection: ASP.NET Core's WebSocket handshake takes
/// the stream from <see cref="IHttpUpgradeFeature"/>, so this feature, set ahead of <c>UseWebSockets</c>, hands it the
/// batching stream instead of Kestrel's own, and keeps it for the socket's transport (<see cref="BatchingStreamOf"/>).
/// </summary>
internal sealed class WriteBatchingUpgrade(IHttpUpgradeFeature inner) : IHttpUpgradeFeature
{
    private WriteBatchingStream? _stream;

    public bool IsUpgradableRequest => inner.IsUpgradableRequest;

    public async Task<Stream> UpgradeAsync() => _stream = new WriteBatchingStream(await inner.UpgradeAsync());

    /// <summary>Replaces the upgrade feature of upgradable requests. Call right before <c>UseWebSockets</c>.</summary>
    public static IApplicationBuilder Use(IApplicationBuilder app) => app.Use(next => http =>
    {
        if (http.Features.Get<IHttpUpgradeFeature>() is { IsUpgradableRequest: true } upgrade)
        {
            http.Features.Set<IHttpUpgradeFeature>(new WriteBatchingUpgrade(upgrade));
        }

        return next(http);
    });

    /// <summary>The batching stream under an upgraded request's WebSocket; null when there is none (an HTTP/2 WebSocket).</summary>
    public static WriteBatchingStream? BatchingStreamOf(HttpContext http) =>
        (http.Features.Get<IHttpUpgradeFeature>() as WriteBatchingUpgrade)?._stream;
}
