using System.Text.Json.Serialization;

namespace Vapora.RealtimeGateway.Page;

/// <summary>The page configuration's serializer (source-generated).</summary>
[JsonSerializable(typeof(PageConfiguration))]
internal sealed partial class PageJsonContext : JsonSerializerContext;
