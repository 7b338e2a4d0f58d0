using System.Text;

namespace Vapora.Security.Tests;

/// <summary>Random and mutated input for the fuzz tests: seeded, so a failure can be replayed.</summary>
public sealed class FuzzInput(int seed)
{
    private static readonly string[] Oddities =
    [
        "null", "true", "false", "[]", "{}", "\"\"", "-1", "0", "1e400", "-1e400", "99999999999999999999", "9223372036854775808",
        "1.5", "NaN", "\"\\u0000\"", "\"\\ud800\"", "\"\\udc00\\ud800\"", "\"😀\"", "\"\u202e\"", "\"' OR 1=1 --\"", "{\"$gt\":\"\"}",
        "\"../../etc/passwd\"", "\"wf_*\"", "\"vapora:wf:*\"", "[1,2,3]", "{\"a\":{\"b\":{\"c\":{}}}}", "\"" + new string('x', 5000) + "\"",
    ];

    private static readonly string[] Keys = ["name", "status", "current_step", "total_steps", "message", "type", "workflow_id", "after", "version", "__proto__", "$where", ""];

    private static readonly string[] Statuses = ["pending", "running", "completed", "failed", "cancelled", "RUNNING", "done", ""];

    public Random Random { get; } = new(seed);

    /// <summary>A JSON-ish text built from <paramref name="valid"/> by one of many mutations.</summary>
    public string Mutate(string valid) => Random.Next(14) switch
    {
        0 => valid[..Random.Next(valid.Length)],                                   // truncated
        1 => FlipCharacters(valid),                                               // corrupted bytes
        2 => ReplaceValue(valid),                                                 // odd value for a field
        3 => valid.Insert(valid.Length - 1, $",\"{Pick(Keys)}\":{Pick(Oddities)}"), // extra (maybe duplicate) field
        4 => new string('[', 200 + Random.Next(2000)) + new string(']', 200),      // deep nesting
        5 => RandomText(Random.Next(1, 200)),                                     // not JSON at all
        6 => Pick(Oddities),                                                      // a bare value
        7 => valid + Pick(Oddities),                                              // trailing garbage
        8 => $"{{\"{Pick(Keys)}\":{Pick(Oddities)},\"{Pick(Keys)}\":{Pick(Oddities)}}}",
        9 => valid.Replace("\"", "'", StringComparison.Ordinal),                 // wrong quoting
        10 => string.Empty,
        11 => "{\"status\":\"" + Pick(Statuses) + "\",\"current_step\":" + Random.Next(-5, 2000) + "}",
        12 => valid.Replace(":", ": /*c*/ ", StringComparison.Ordinal),          // comments
        _ => valid.Insert(Random.Next(valid.Length), Pick(["\u0000", "\ud800", "😀", "\u202e", "\\", "\"", "\n", "\t"])),
    };

    public T Pick<T>(IReadOnlyList<T> items) => items[Random.Next(items.Count)];

    public string RandomText(int length)
    {
        var builder = new StringBuilder(length);
        for (var i = 0; i < length; i++)
        {
            builder.Append((char)Random.Next(1, 0xD7FF));
        }

        return builder.ToString();
    }

    /// <summary>Random printable ASCII (what an HTTP header can carry).</summary>
    public string RandomAscii(int length)
    {
        var builder = new StringBuilder(length);
        for (var i = 0; i < length; i++)
        {
            builder.Append((char)Random.Next(33, 127));
        }

        return builder.ToString();
    }

    private string FlipCharacters(string text)
    {
        var chars = text.ToCharArray();
        for (var i = 0; i < 1 + Random.Next(4); i++)
        {
            chars[Random.Next(chars.Length)] = (char)Random.Next(32, 127);
        }

        return new string(chars);
    }

    private string ReplaceValue(string text)
    {
        var colon = text.IndexOf(':', Random.Next(text.Length / 2));
        if (colon < 0)
        {
            return text;
        }

        var end = text.IndexOfAny([',', '}'], colon);
        return end < 0 ? text : string.Concat(text.AsSpan(0, colon + 1), Pick(Oddities), text.AsSpan(end));
    }
}
