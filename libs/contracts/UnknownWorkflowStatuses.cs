namespace Vapora.Contracts;

/// <summary>
/// Status names this version does not know, as a newer API may send them: each well-formed name (a lowercase letter,
/// then up to 31 lowercase letters, digits or underscores) gets a <see cref="WorkflowStatus"/> value of its own, above
/// the named members, which writes back as the same name. So an update with a new status is forwarded, stored and
/// shown as it came instead of being refused as malformed. At most <see cref="Capacity"/> names per process: beyond
/// that a name is refused as before (nothing a well-behaved API sends comes near it; it bounds what garbage costs).
/// </summary>
internal static class UnknownWorkflowStatuses
{
    /// <summary>The first value handed out; the named members stay below.</summary>
    public const int First = 100;

    public const int Capacity = 64;

    private static readonly Lock Gate = new();
    private static string[] _names = [];

    public static bool TryGet(string? name, out WorkflowStatus status)
    {
        status = default;
        if (!IsWellFormed(name))
        {
            return false;
        }

        var names = Volatile.Read(ref _names);
        var index = Array.IndexOf(names, name);
        if (index < 0)
        {
            lock (Gate)
            {
                index = Array.IndexOf(_names, name);
                if (index < 0)
                {
                    if (_names.Length >= Capacity)
                    {
                        return false;
                    }

                    index = _names.Length;
                    Volatile.Write(ref _names, [.. _names, name!]);
                }
            }
        }

        status = (WorkflowStatus)(First + index);
        return true;
    }

    /// <summary>The name of a value <see cref="TryGet"/> handed out; null for any other value.</summary>
    public static string? NameOf(WorkflowStatus status)
    {
        var names = Volatile.Read(ref _names);
        var index = (int)status - First;
        return index >= 0 && index < names.Length ? names[index] : null;
    }

    private static bool IsWellFormed(string? name)
    {
        if (name is not { Length: >= 1 and <= 32 } || name[0] is < 'a' or > 'z')
        {
            return false;
        }

        foreach (var c in name)
        {
            if (c is not ((>= 'a' and <= 'z') or (>= '0' and <= '9') or '_'))
            {
                return false;
            }
        }

        return true;
    }
}
