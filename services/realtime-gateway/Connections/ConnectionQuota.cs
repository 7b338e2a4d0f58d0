namespace Vapora.RealtimeGateway.Connections;

/// <summary>Connections held per key (a token subject, a client address), each key allowed at most <c>limit</c> (0: no limit).</summary>
/// <remarks>
/// One lock: taken once per connect and disconnect, never per frame. A key's entry goes when its last connection does, so
/// the table holds only keys with open connections.
/// </remarks>
internal sealed class ConnectionQuota<TKey>(int limit, IEqualityComparer<TKey> comparer) where TKey : notnull
{
    private readonly Dictionary<TKey, int> _held = new(comparer);

    /// <summary>Takes a slot of <paramref name="key"/>; false when it holds its limit. A null key (nothing to limit) always may.</summary>
    public bool TryTake(TKey? key)
    {
        if (key is null || limit <= 0)
        {
            return true;
        }

        lock (_held)
        {
            var held = _held.GetValueOrDefault(key);
            if (held >= limit)
            {
                return false;
            }

            _held[key] = held + 1;
            return true;
        }
    }

    /// <summary>Gives back a slot taken with <see cref="TryTake"/>.</summary>
    public void Release(TKey? key)
    {
        if (key is null || limit <= 0)
        {
            return;
        }

        lock (_held)
        {
            if (_held.TryGetValue(key, out var held))
            {
                if (held <= 1)
                {
                    _held.Remove(key);
                }
                else
                {
                    _held[key] = held - 1;
                }
            }
        }
    }
}
