using System.Diagnostics;

namespace Vapora.RealtimeGateway.Internal;

/// <summary>The gateway's activity source (<c>Vapora.RealtimeGateway</c>).</summary>
internal static class GatewayTelemetry
{
    public static readonly ActivitySource Source = new(GatewayMetrics.MeterName);
}
