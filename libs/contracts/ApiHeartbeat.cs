using System.Globalization;

namespace Vapora.Contracts;

/// <summary>
/// An API replica's heartbeat on <see cref="WorkflowChannels.ApiHeartbeatChannel"/>, sent on the connection its updates
/// use: <c>"{instance} {interval in ms}"</c>, and <c>"{instance} 0"</c> when the replica stops on purpose (so gateways
/// forget it rather than wait for it).
/// </summary>
/// <param name="Instance">The sending replica (no spaces).</param>
/// <param name="Interval">How often it sends; <see cref="TimeSpan.Zero"/> says it is leaving.</param>
public readonly record struct ApiHeartbeat(string Instance, TimeSpan Interval)
{
    /// <summary>Longest instance name read; longer ones are refused (the channel is shared, its senders are not trusted blindly).</summary>
    public const int MaxInstanceLength = 128;

    /// <summary>True when the replica said it stops.</summary>
    public bool IsLeaving => Interval == TimeSpan.Zero;

    /// <summary>The message text.</summary>
    public string Encode() => string.Create(CultureInfo.InvariantCulture, $"{Instance} {(long)Interval.TotalMilliseconds}");

    /// <summary>Reads a message; false for anything else (a malformed one is ignored, not trusted).</summary>
    public static bool TryParse(string? text, out ApiHeartbeat heartbeat)
    {
        heartbeat = default;
        var space = text?.IndexOf(' ', StringComparison.Ordinal) ?? -1;
        if (space is <= 0 or > MaxInstanceLength
            || !long.TryParse(text.AsSpan(space + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var milliseconds)
            || milliseconds > (long)TimeSpan.FromHours(1).TotalMilliseconds)
        {
            return false;
        }

        heartbeat = new ApiHeartbeat(text![..space], TimeSpan.FromMilliseconds(milliseconds));
        return true;
    }
}
