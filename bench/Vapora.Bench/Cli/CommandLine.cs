using System.Globalization;

namespace Vapora.Bench.Cli;

/// <summary>
/// <c>--name value</c> options of one command. Every option must be known to the command, given once and have a
/// value; typed readers check ranges, so a typo or an impossible number fails before anything starts.
/// </summary>
internal sealed class CommandLine
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

    public CommandLine(string command, IReadOnlyList<string> args, IReadOnlyCollection<string> known)
    {
        Command = command;
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            if (!name.StartsWith("--", StringComparison.Ordinal))
            {
                throw new UsageException($"'{name}' is not an option; options look like --name value.");
            }

            if (!known.Contains(name))
            {
                throw new UsageException($"{command} has no option {name}; it takes {string.Join(", ", known.Order(StringComparer.Ordinal))}.");
            }

            if (i + 1 >= args.Count || args[i + 1].StartsWith("--", StringComparison.Ordinal))
            {
                throw new UsageException($"{name} needs a value.");
            }

            if (!_values.TryAdd(name, args[++i]))
            {
                throw new UsageException($"{name} is given twice.");
            }
        }
    }

    public string Command { get; }

    public bool Has(string name) => _values.ContainsKey(name);

    public int Int(string name, int fallback, int min, int max, string? why = null)
    {
        if (!_values.TryGetValue(name, out var text))
        {
            return fallback;
        }

        if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            throw new UsageException($"{name} must be a whole number, not '{text}'.");
        }

        return InRange(name, value, min, max, why);
    }

    /// <summary>A required whole number.</summary>
    public int RequiredInt(string name, int min, int max, string? why = null) =>
        Has(name) ? Int(name, 0, min, max, why) : throw new UsageException($"{Command} needs {name}.");

    public double Seconds(string name, double fallback, double min, double max)
    {
        if (!_values.TryGetValue(name, out var text))
        {
            return fallback;
        }

        if (!double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            throw new UsageException($"{name} must be a number of seconds from {min} to {max}, not '{text}'.");
        }

        return value;
    }

    public T Choice<T>(string name, T fallback)
        where T : struct, Enum
    {
        if (!_values.TryGetValue(name, out var text))
        {
            return fallback;
        }

        // Enum.TryParse would accept numbers ("--target 7"): only the names are allowed.
        foreach (var option in Enum.GetValues<T>())
        {
            if (string.Equals(Name(option), text, StringComparison.Ordinal))
            {
                return option;
            }
        }

        throw new UsageException($"{name} must be one of {string.Join("|", Enum.GetValues<T>().Select(Name))}, not '{text}'.");
    }

    public T RequiredChoice<T>(string name)
        where T : struct, Enum =>
        Has(name) ? Choice(name, default(T)) : throw new UsageException($"{Command} needs {name} ({string.Join("|", Enum.GetValues<T>().Select(Name))}).");

    public string? Text(string name) => _values.GetValueOrDefault(name);

    /// <summary>A comma-separated list of whole numbers, each in range, strictly increasing.</summary>
    public IReadOnlyList<int> IntList(string name, int min, int max)
    {
        if (!_values.TryGetValue(name, out var text))
        {
            throw new UsageException($"{Command} needs {name}, e.g. {name} 1000,2000,4000.");
        }

        var values = new List<int>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
            {
                throw new UsageException($"{name} must be whole numbers separated by commas, not '{text}'.");
            }

            InRange(name, value, min, max, null);
            if (values.Count > 0 && value <= values[^1])
            {
                throw new UsageException($"{name} must increase ({value} follows {values[^1]}).");
            }

            values.Add(value);
        }

        return values;
    }

    /// <summary>Lower-case option value of an enum member: <c>SignalR</c> → <c>signalr</c>.</summary>
    public static string Name<T>(T value)
        where T : struct, Enum => value.ToString().ToLowerInvariant();

    private static int InRange(string name, int value, int min, int max, string? why)
    {
        if (value < min || value > max)
        {
            throw new UsageException($"{name} must be from {min} to {max}, not {value}" + (why is null ? "." : $" ({why})."));
        }

        return value;
    }
}
