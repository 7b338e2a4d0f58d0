using System.Buffers.Binary;
using Vapora.Contracts;
using Vapora.WorkflowApi.Workflows;

namespace Vapora.WorkflowApi.Tests;

/// <summary>Workflow ids: valid, ordered by time, and not predictable from one another (issue 30, item 5).</summary>
public sealed class WorkflowIdGeneratorTests
{
    private const int Pairs = 500;

    [Fact]
    public void Two_ids_from_one_millisecond_share_no_predictable_suffix()
    {
        var now = DateTimeOffset.UtcNow;

        // The predictor is right about the ULID library's own generator (the one the ids used to come from)...
        Assert.Equal(Pairs, PredictedPairs(() => System.Ulid.NewUlid(now).ToString()));
        // ...and never about ours.
        Assert.Equal(0, PredictedPairs(() => WorkflowIdGenerator.NewId(now)[WorkflowIdGenerator.Prefix.Length..]));
    }

    [Fact]
    public void Ids_are_valid_distinct_and_ordered_by_their_millisecond()
    {
        var now = DateTimeOffset.UtcNow;
        var sameMillisecond = Enumerable.Range(0, 10_000).Select(_ => WorkflowIdGenerator.NewId(now)).ToList();
        var later = WorkflowIdGenerator.NewId(now.AddMilliseconds(1));

        Assert.All(sameMillisecond, id => Assert.True(WorkflowIds.IsValid(id) && id.StartsWith(WorkflowIdGenerator.Prefix, StringComparison.Ordinal), id));
        Assert.Equal(sameMillisecond.Count, sameMillisecond.Distinct(StringComparer.Ordinal).Count());
        Assert.All(sameMillisecond, id => Assert.True(string.CompareOrdinal(id, later) < 0, $"{id} sorts after {later}"));
        Assert.Equal(now.ToUnixTimeMilliseconds(), System.Ulid.Parse(sameMillisecond[0][WorkflowIdGenerator.Prefix.Length..]).Time.ToUnixTimeMilliseconds());
    }

    // How many ids, of consecutive pairs made on this thread, the one before predicts: a XorShift64 id carries the
    // generator's whole state in its last 8 random bytes; the next id's random bytes are the 2 low bytes of the next
    // state and the whole state after it.
    private static int PredictedPairs(Func<string> newUlid)
    {
        var predicted = 0;
        for (var i = 0; i < Pairs; i++)
        {
            var first = System.Ulid.Parse(newUlid()).Random;
            var second = System.Ulid.Parse(newUlid()).Random;
            var s1 = Next(BinaryPrimitives.ReadUInt64LittleEndian(first.AsSpan(2)));
            var s2 = Next(s1);
            var guess = new byte[10];
            BinaryPrimitives.WriteUInt64LittleEndian(guess, s1);
            BinaryPrimitives.WriteUInt64LittleEndian(guess.AsSpan(2), s2);
            predicted += guess.AsSpan().SequenceEqual(second) ? 1 : 0;
        }

        return predicted;
    }

    private static ulong Next(ulong x)
    {
        x ^= x << 7;
        return x ^ (x >> 9);
    }
}
