using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace Vapora.RealtimeGateway.Connections;

/// <summary>
/// Workflows recently found not to exist (<c>Gateway:NotFoundCacheDuration</c>), so that subscribing to one again (a
/// retry loop, or a flood of the same unknown id from many connections) is answered without a Redis subscribe and an API
/// read each time.
/// </summary>
/// <remarks>
/// A workflow created within the duration after a miss is reported missing until it passes: the price of the bound, kept
/// short. Growth is bounded too: at <see cref="MaxEntries"/> the cache starts over rather than evicting one by one.
/// </remarks>
internal sealed class NotFoundCache(IOptions<ConnectionOptions> options, TimeProvider time)
{
    /// <summary>Most ids remembered at once.</summary>
    public const int MaxEntries = 10_000;

    private readonly ConcurrentDictionary<string, long> _missingUntil = new(StringComparer.Ordinal);
    private readonly long _duration = (long)(options.Value.NotFoundCacheDuration.TotalSeconds * time.TimestampFrequency);

    /// <summary>True when <paramref name="workflowId"/> was found missing within the duration.</summary>
    public bool IsKnownMissing(string workflowId)
    {
        if (!_missingUntil.TryGetValue(workflowId, out var until))
        {
            return false;
        }

        if (time.GetTimestamp() < until)
        {
            return true;
        }

        _missingUntil.TryRemove(new KeyValuePair<string, long>(workflowId, until));
        return false;
    }

    /// <summary>Remembers that <paramref name="workflowId"/> does not exist.</summary>
    public void Remember(string workflowId)
    {
        if (_duration <= 0)
        {
            return;
        }

        if (_missingUntil.Count >= MaxEntries)
        {
            _missingUntil.Clear();
        }

        _missingUntil[workflowId] = time.GetTimestamp() + _duration;
    }
}
