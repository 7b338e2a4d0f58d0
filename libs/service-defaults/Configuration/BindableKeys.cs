using System.ComponentModel;
using System.Reflection;

namespace Vapora.ServiceDefaults.Configuration;

/// <summary>Which keys below a type the configuration binder sets, by the binder's own rules.</summary>
internal static class BindableKeys
{
    private const string KeyNameAttribute = "Microsoft.Extensions.Configuration.ConfigurationKeyNameAttribute";

    /// <summary>
    /// True when binding <paramref name="type"/> reads the key made of <paramref name="segments"/> below it.
    /// <paramref name="hasValue"/>: the key carries a value (a value on a section that holds settings is ignored by
    /// the binder, such as a list written without its index).
    /// </summary>
    public static bool Reaches(Type type, ReadOnlySpan<string> segments, bool hasValue)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type == typeof(object) || typeof(Microsoft.Extensions.Configuration.IConfigurationSection).IsAssignableFrom(type))
        {
            return true;
        }

        if (IsScalar(type))
        {
            return segments.Length == 0;
        }

        if (segments.Length == 0)
        {
            return !hasValue;
        }

        // A dictionary's keys and a list's indexes are any names.
        if (ItemType(type) is { } item)
        {
            return Reaches(item, segments[1..], hasValue);
        }

        return Property(type, segments[0]) is { } property && Reaches(property.PropertyType, segments[1..], hasValue);
    }

    /// <summary>The names of the settings directly below <paramref name="segments"/> (empty below a simple value or a list).</summary>
    public static IEnumerable<string> NamesBelow(Type type, ReadOnlySpan<string> segments)
    {
        while (true)
        {
            type = Nullable.GetUnderlyingType(type) ?? type;
            if (IsScalar(type) || type == typeof(object))
            {
                return [];
            }

            var item = ItemType(type);
            if (segments.Length == 0)
            {
                return item is null ? Properties(type).Select(p => KeyOf(p)).ToList() : [];
            }

            if (item is not null)
            {
                type = item;
            }
            else if (Property(type, segments[0]) is { } property)
            {
                type = property.PropertyType;
            }
            else
            {
                return [];
            }

            segments = segments[1..];
        }
    }

    /// <summary>A type the binder reads from one string.</summary>
    public static bool IsScalar(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        return type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal) || type == typeof(byte[])
            || type == typeof(DateTime) || type == typeof(DateTimeOffset) || type == typeof(TimeSpan) || type == typeof(DateOnly)
            || type == typeof(TimeOnly) || type == typeof(Guid) || type == typeof(Uri) || type == typeof(Version)
            || (!type.IsInterface && !type.IsAbstract && TypeDescriptor.GetConverter(type).CanConvertFrom(typeof(string)));
    }

    // Arrays, lists and sets: their item type; dictionaries: their value type.
    private static Type? ItemType(Type type)
    {
        if (type.IsArray)
        {
            return type.GetElementType();
        }

        var interfaces = type.IsInterface ? type.GetInterfaces().Prepend(type) : type.GetInterfaces();
        Type? enumerable = null;
        foreach (var candidate in interfaces.Where(i => i.IsGenericType))
        {
            var definition = candidate.GetGenericTypeDefinition();
            if (definition == typeof(IDictionary<,>) || definition == typeof(IReadOnlyDictionary<,>))
            {
                return candidate.GetGenericArguments()[1];
            }

            if (definition == typeof(IEnumerable<>))
            {
                enumerable = candidate.GetGenericArguments()[0];
            }
        }

        return enumerable;
    }

    // What the binder sets: public instance properties with a public setter, and the settings inside a class or
    // collection property it can fill in place.
    private static IEnumerable<PropertyInfo> Properties(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.GetIndexParameters().Length == 0 && p.GetMethod is not null
                && (p.SetMethod?.IsPublic == true || !IsScalar(p.PropertyType)));

    private static PropertyInfo? Property(Type type, string key) =>
        Properties(type).FirstOrDefault(p => string.Equals(KeyOf(p), key, StringComparison.OrdinalIgnoreCase));

    private static string KeyOf(PropertyInfo property) =>
        property.GetCustomAttributesData().FirstOrDefault(a => a.AttributeType.FullName == KeyNameAttribute)?.ConstructorArguments[0].Value as string
            ?? property.Name;
}
