using System.Text.Json.Serialization;

namespace Vapora.RealtimeGateway.Page;

/// <summary>The page's view of <see cref="PageOptions"/>, served as <c>/config.json</c>.</summary>
internal sealed record PageConfiguration(
    [property: JsonPropertyName("apiBaseUrl")] string? ApiBaseUrl,
    [property: JsonPropertyName("socketBaseUrl")] string? SocketBaseUrl);
