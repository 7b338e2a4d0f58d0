namespace Vapora.ServiceDefaults.Configuration;

/// <summary>One place a service reads its configuration from: a section (or key) and the type bound there.</summary>
/// <param name="Path">The section or key, such as <c>Gateway</c> or <c>Storage:Mongo</c>.</param>
/// <param name="Type">The options class, list, dictionary or simple type read there.</param>
public sealed record ConfigurationSchemaEntry(string Path, Type Type);
