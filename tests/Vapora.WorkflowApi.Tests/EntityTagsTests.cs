using Microsoft.Extensions.Primitives;
using Vapora.WorkflowApi.Workflows;

namespace Vapora.WorkflowApi.Tests;

/// <summary>A workflow's entity tag is its version: If-Match for writes (one version, or any), If-None-Match for reads.</summary>
public sealed class EntityTagsTests
{
    [Fact]
    public void The_tag_of_a_version_is_the_quoted_number()
    {
        Assert.Equal("\"7\"", EntityTags.For(7));
    }

    [Theory]
    [InlineData("\"7\"", 7L)]
    [InlineData("\"1\"", 1L)]     // the first version
    [InlineData("W/\"7\"", 7L)]
    [InlineData(" 12 ", 12L)]   // typed by hand, spaces trimmed
    [InlineData("*", null)]     // any version
    public void If_match_names_one_version_or_any(string header, long? expected)
    {
        Assert.True(EntityTags.TryParseIfMatch(header, out var version));
        Assert.Equal(expected, version);
    }

    [Theory]
    [InlineData("\"0\"")]
    [InlineData("0")]
    [InlineData("\"-1\"")]
    [InlineData("\"seven\"")]
    [InlineData("\"7\", \"8\"")]
    [InlineData("")]
    public void If_match_without_one_version_from_1_up_is_refused(string header)
    {
        Assert.False(EntityTags.TryParseIfMatch(header, out var version));
        Assert.Null(version);
    }

    [Fact]
    public void If_match_sent_twice_or_not_at_all_is_refused()
    {
        Assert.False(EntityTags.TryParseIfMatch(new StringValues(["\"7\"", "\"8\""]), out _));
        Assert.False(EntityTags.TryParseIfMatch(StringValues.Empty, out _));
    }

    [Theory]
    [InlineData("\"7\"", true)]
    [InlineData("W/\"7\"", true)]       // compared weakly
    [InlineData("\"6\", \"7\"", true)]  // a list naming it
    [InlineData("*", true)]
    [InlineData("\"8\"", false)]
    [InlineData("\"6\", \"8\"", false)]
    [InlineData("not a tag", false)]
    public void If_none_match_holds_when_it_names_the_version_or_any(string header, bool holds)
    {
        Assert.Equal(holds, EntityTags.IfNoneMatchHolds(header, 7));
    }

    [Fact]
    public void No_if_none_match_never_holds()
    {
        Assert.False(EntityTags.IfNoneMatchHolds(StringValues.Empty, 7));
    }
}
