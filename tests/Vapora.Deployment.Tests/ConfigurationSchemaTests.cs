using Microsoft.Extensions.Configuration;
using Vapora.ServiceDefaults.Configuration;

namespace Vapora.Deployment.Tests;

/// <summary>Which keys a schema knows, by the configuration binder's rules, on a table.</summary>
public sealed class ConfigurationSchemaTests
{
    private static readonly ConfigurationSchema Schema = new([
        new("Sample", typeof(SampleOptions)),
        new("Sample:Nested", typeof(NestedOptions)),
        new("ConnectionStrings:main", typeof(string)),
    ]);

    [Theory]
    [InlineData("Sample:Timeout", true)]
    [InlineData("sample__timeout", true)]
    [InlineData("Sample:Origins:0", true)]
    [InlineData("Sample:Origins:7", true)]
    [InlineData("Sample:Limits:anything", true)]
    [InlineData("Sample:Child:Depth", true)]
    [InlineData("Sample:Renamed-Key", true)]
    [InlineData("Sample:Nested:Flag", true)]
    [InlineData("ConnectionStrings:main", true)]
    [InlineData("Sample:Timeot", false)]
    [InlineData("Sample:Origins", false)]
    [InlineData("Sample:Timeout:Extra", false)]
    [InlineData("Sample:ReadOnly", false)]
    [InlineData("Sample:Renamed", false)]
    [InlineData("Sample:Child:Dept", false)]
    [InlineData("Sample:Nested:Other", false)]
    [InlineData("ConnectionStrings:other", false)]
    public void A_key_is_known_when_binding_the_options_reads_it(string key, bool known) => Assert.Equal(known, Schema.Knows(key));

    [Fact]
    public void An_empty_list_or_section_is_not_a_value_on_it()
    {
        Assert.True(Schema.Knows("Sample:Origins", hasValue: false));
        Assert.True(Schema.Knows("Sample:Child", hasValue: false));
    }

    [Theory]
    [InlineData("Sample:Timeot", "Sample:Timeout")]
    [InlineData("Sampel:Timeout", "Sample:Timeout")]
    [InlineData("Sample:Nested:Flg", "Sample:Nested:Flag")]
    [InlineData("Sample:Child:Dept", "Sample:Child:Depth")]
    [InlineData("Sample:Completely", null)]
    public void A_misspelt_key_is_matched_to_the_closest_known_one(string key, string? meant) => Assert.Equal(meant, Schema.Suggest(key));

    [Fact]
    public void Only_keys_in_owned_sections_are_unknown_and_shared_connection_strings_never_are()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Sample:Timeout"] = "00:00:01",
            ["Sample:Timeot"] = "00:00:01",
            ["Sample:Origins"] = string.Empty,
            ["Other:Anything"] = "x",
            ["ConnectionStrings:other"] = "x",
            ["Logging:LogLevel:Default"] = "Debug",
        }).Build();

        Assert.Equal(["Sample:Timeot"], Schema.UnknownKeys(configuration));
        Assert.Equal(["Sample"], Schema.OwnedSections);
    }

    private sealed class SampleOptions
    {
        public TimeSpan Timeout { get; set; }

        public string[] Origins { get; set; } = [];

        public Dictionary<string, int> Limits { get; } = [];

        public ChildOptions Child { get; } = new();

        public string ReadOnly { get; } = string.Empty;

        [ConfigurationKeyName("Renamed-Key")]
        public string? Renamed { get; set; }
    }

    private sealed class ChildOptions
    {
        public int Depth { get; set; }
    }

    private sealed class NestedOptions
    {
        public bool Flag { get; set; }
    }
}
