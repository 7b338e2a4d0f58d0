using System.Buffers;
using System.Text;
using Vapora.RealtimeGateway.Transport.EventStreams;

namespace Vapora.RealtimeGateway.Tests.Units;

/// <summary>The multiplexed event stream's cursor: parsed from the URL, resumed from <c>Last-Event-ID</c>, moved by what is written.</summary>
public sealed class EventStreamCursorTests
{
    [Fact]
    public void The_url_lists_workflows_each_with_an_optional_position_and_the_cursor_writes_them_back_behind_a_fingerprint()
    {
        var cursor = Parse("wf_a,wf_b:7", "wf_c:0");

        Assert.Equal(["wf_a", "wf_b", "wf_c"], cursor.WorkflowIds);
        Assert.Equal([null, 7L, 0L], Enumerable.Range(0, 3).Select(cursor.PositionOf));
        var written = Written(cursor);
        Assert.Matches("^[0-9a-f]{8}:,7,0$", written);
        Assert.Equal(written[..8], Written(Parse("wf_a,wf_b,wf_c"))[..8]); // the fingerprint is the list's, not the positions'
        Assert.NotEqual(written[..8], Written(Parse("wf_b,wf_a,wf_c"))[..8]);
    }

    [Theory]
    [InlineData("", "each entry of workflows")]
    [InlineData("wf_a,wf_a", "listed twice")]
    [InlineData("wf_a,bad*id", "each entry of workflows")]
    [InlineData("wf_a:x", "the after of wf_a")]
    [InlineData("wf_a:-1", "the after of wf_a")]
    [InlineData("wf_a,wf_b,wf_c,wf_d", "at most 3 workflows")]
    public void A_bad_list_is_refused_with_what_is_wrong(string workflows, string problem)
    {
        Assert.Null(EventStreamCursor.Parse([workflows], maxWorkflows: 3, out var why));
        Assert.Contains(problem, why, StringComparison.Ordinal);
        Assert.Null(EventStreamCursor.Parse([], maxWorkflows: 3, out why));
        Assert.Contains("workflows is required", why, StringComparison.Ordinal);
    }

    [Fact]
    public void Advancing_notes_each_written_update_of_a_listed_workflow_and_ignores_anything_else()
    {
        var cursor = Parse("wf_a,wf_b:7");

        cursor.Advance("""{"workflow_id":"wf_b","version":9,"status":"running"}"""u8);
        cursor.Advance("""{"version":3,"workflow_id":"wf_a","status":"running"}"""u8);
        cursor.Advance("""{"workflow_id":"wf_other","version":50}"""u8);
        cursor.Advance("""{"workflow_id":"wf_a","version":"x"}"""u8);
        cursor.Advance("not json"u8);
        cursor.Advance("""{"workflow_id":"wf_a","version":2,"reset":true}"""u8); // a reset moves it back

        Assert.EndsWith(":2,9", Written(cursor), StringComparison.Ordinal);
    }

    [Fact]
    public void Last_Event_ID_of_the_same_list_resumes_every_workflow_but_never_behind_what_the_url_asked()
    {
        var cursor = Parse("wf_a,wf_b:7,wf_c");
        var fingerprint = Written(cursor)[..8];

        Assert.True(cursor.TryResume($"{fingerprint}:4,5,", out var problem), problem);

        Assert.Equal([4L, 7L, null], Enumerable.Range(0, 3).Select(cursor.PositionOf));
    }

    [Theory]
    [InlineData("{fp}:1,2", "holds 2 versions for 3 workflows")]
    [InlineData("{fp}:1,2,3,4", "more versions than the stream has workflows")]
    [InlineData("{fp}:1,x,3", "not a version")]
    [InlineData("0badc0de:1,2,3", "cursor of another list")]
    [InlineData("nonsense", "not a cursor of this stream")]
    [InlineData("{long}", "longer than any cursor of 3 workflows")]
    public void A_Last_Event_ID_that_is_not_a_cursor_of_this_list_is_refused(string lastEventId, string problem)
    {
        var cursor = Parse("wf_a,wf_b,wf_c");
        var id = lastEventId.Replace("{fp}", Written(cursor)[..8], StringComparison.Ordinal)
            .Replace("{long}", "00000000:" + new string('1', EventStreamCursor.MaxLength(3)), StringComparison.Ordinal);

        Assert.False(cursor.TryResume(id, out var why));
        Assert.Contains(problem, why, StringComparison.Ordinal);
    }

    private static EventStreamCursor Parse(params string[] values) =>
        EventStreamCursor.Parse(values, maxWorkflows: 100, out var problem) ?? throw new InvalidOperationException(problem);

    private static string Written(EventStreamCursor cursor)
    {
        var buffer = new ArrayBufferWriter<byte>();
        cursor.WriteTo(buffer);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
