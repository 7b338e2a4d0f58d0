using System.Security.Cryptography;

namespace Vapora.WorkflowApi.Workflows;

/// <summary>
/// New ids are <c>wf_</c> + a ULID: unique without coordination between API replicas, and sortable by creation time,
/// which gives the list endpoint its newest-first order. The 80 random bits come from the operating system's CSPRNG
/// (<see cref="RandomNumberGenerator"/>), so an id tells nothing about the next one: the ULID library's own generator
/// is a per-thread XorShift64 whose every id gives away its state. The random bytes are fetched for many ids at once.
/// </summary>
public static class WorkflowIdGenerator
{
    /// <summary>Prefix of every generated id.</summary>
    public const string Prefix = "wf_";

    private const int RandomBytesPerId = 10;
    private const int IdsPerFetch = 64;

    [ThreadStatic]
    private static byte[]? t_random;

    [ThreadStatic]
    private static int t_used;

    /// <summary>A new id for a workflow created at <paramref name="now"/>.</summary>
    public static string NewId(DateTimeOffset now)
    {
        var random = t_random;
        if (random is null || t_used == random.Length)
        {
            random = t_random ??= new byte[RandomBytesPerId * IdsPerFetch];
            RandomNumberGenerator.Fill(random);
            t_used = 0;
        }

        var id = System.Ulid.NewUlid(now, random.AsSpan(t_used, RandomBytesPerId));
        t_used += RandomBytesPerId;
        return Prefix + id.ToString();
    }
}
