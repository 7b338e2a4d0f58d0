using System.Reflection;
using Microsoft.Extensions.Configuration;

namespace Vapora.ServiceDefaults.Configuration;

/// <summary>
/// Every configuration key a service reads: the options classes of its assemblies (each class with a
/// <c>SectionName</c> constant, as bound with <c>BindConfiguration</c>) and the keys they declare with
/// <see cref="ReadsConfigurationAttribute"/>. A key in one of its sections that no setting has is a typo or a
/// leftover: the binder would ignore it silently.
/// </summary>
public sealed class ConfigurationSchema
{
    /// <summary>
    /// Connection strings are shared by the services of a deployment (one ConfigMap, one compose environment): a
    /// service never counts one it does not use as unknown.
    /// </summary>
    public const string SharedSection = "ConnectionStrings";

    private const string SectionNameField = "SectionName";

    /// <summary>A schema of the given entries (framework options, say, that no Vapora assembly declares).</summary>
    public ConfigurationSchema(IEnumerable<ConfigurationSchemaEntry> entries)
    {
        Entries = entries.ToList();
        OwnedSections = Entries.Select(e => FirstSegment(e.Path))
            .Where(s => !string.Equals(s, SharedSection, StringComparison.OrdinalIgnoreCase))
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>Where the keys are read, and as what.</summary>
    public IReadOnlyList<ConfigurationSchemaEntry> Entries { get; }

    /// <summary>Top-level sections whose every key this schema knows (all but <see cref="SharedSection"/>).</summary>
    public IReadOnlySet<string> OwnedSections { get; }

    /// <summary>The schema of the options classes and declared keys of <paramref name="assemblies"/>.</summary>
    public static ConfigurationSchema Of(IEnumerable<Assembly> assemblies)
    {
        var entries = new List<ConfigurationSchemaEntry>();
        foreach (var assembly in assemblies.Distinct())
        {
            foreach (var type in LoadableTypes(assembly))
            {
                if (type.GetField(SectionNameField, BindingFlags.Public | BindingFlags.Static) is { IsLiteral: true } field
                    && field.GetRawConstantValue() is string section)
                {
                    entries.Add(new ConfigurationSchemaEntry(section, type));
                }
            }

            // Matched by name: the test reads the services' assemblies in load contexts of their own.
            foreach (var declared in assembly.GetCustomAttributesData().Where(a => a.AttributeType.FullName == typeof(ReadsConfigurationAttribute).FullName))
            {
                entries.Add(new ConfigurationSchemaEntry((string)declared.ConstructorArguments[0].Value!, (Type)declared.ConstructorArguments[1].Value!));
            }
        }

        return new ConfigurationSchema(entries);
    }

    /// <summary>The keys either schema knows (the services of one deployment together).</summary>
    public ConfigurationSchema With(ConfigurationSchema other) => new([.. Entries, .. other.Entries]);

    /// <summary>True when some setting reads <paramref name="key"/> (sections separated by <c>:</c> or <c>__</c>).</summary>
    /// <param name="key">The key.</param>
    /// <param name="hasValue">The key carries a value (not just an empty list or section).</param>
    public bool Knows(string key, bool hasValue = true)
    {
        var segments = Segments(key);
        foreach (var entry in Entries)
        {
            var path = Segments(entry.Path);
            if (StartsWith(segments, path) && BindableKeys.Reaches(entry.Type, segments.AsSpan(path.Length), hasValue))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The keys of <paramref name="configuration"/> in <see cref="OwnedSections"/> that no setting reads.</summary>
    public IReadOnlyList<string> UnknownKeys(IConfiguration configuration) =>
        configuration.AsEnumerable()
            .Where(pair => pair.Value is not null && OwnedSections.Contains(FirstSegment(pair.Key)) && !Knows(pair.Key, pair.Value.Length > 0))
            .Select(pair => pair.Key)
            .Order(StringComparer.OrdinalIgnoreCase)
            .ToList();

    /// <summary>The known key that <paramref name="key"/> most likely misspells, if one is close.</summary>
    public string? Suggest(string key)
    {
        var segments = Segments(key);
        for (var depth = 0; depth < segments.Length; depth++)
        {
            var names = NamesBelow(segments[..depth]);
            if (names.Contains(segments[depth], StringComparer.OrdinalIgnoreCase))
            {
                continue;
            }

            if (EditDistance.Closest(segments[depth], names) is not { } closest)
            {
                return null;
            }

            var candidate = string.Join(':', [.. segments[..depth], closest, .. segments[(depth + 1)..]]);
            return Knows(candidate) ? candidate : null;
        }

        return null;
    }

    private List<string> NamesBelow(string[] parent)
    {
        var names = new List<string>();
        foreach (var entry in Entries)
        {
            var path = Segments(entry.Path);
            if (StartsWith(parent, path))
            {
                names.AddRange(BindableKeys.NamesBelow(entry.Type, parent.AsSpan(path.Length)));
            }
            else if (path.Length > parent.Length && StartsWith(path, parent))
            {
                names.Add(path[parent.Length]);
            }
        }

        return names;
    }

    private static string[] Segments(string key) => key.Replace("__", ":", StringComparison.Ordinal).Split(':');

    private static string FirstSegment(string key) => Segments(key)[0];

    private static bool StartsWith(string[] segments, string[] prefix) =>
        segments.Length >= prefix.Length && segments.Take(prefix.Length).SequenceEqual(prefix, StringComparer.OrdinalIgnoreCase);

    private static IEnumerable<Type> LoadableTypes(Assembly assembly)
    {
        try
        {
            return assembly.GetTypes();
        }
        catch (ReflectionTypeLoadException ex)
        {
            return ex.Types.OfType<Type>();
        }
    }
}
