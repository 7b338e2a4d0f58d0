using System.Diagnostics;

namespace Vapora.WorkflowApi.Internal;

/// <summary>The API's activity source (<c>Vapora.WorkflowApi</c>).</summary>
internal static class ApiTelemetry
{
    public static readonly ActivitySource Source = new(ApiMetrics.MeterName);
}
