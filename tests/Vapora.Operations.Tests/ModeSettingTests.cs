using Vapora.Testing;

namespace Vapora.Operations.Tests;

/// <summary><c>Auth:Mode</c> and <c>Redis:PubSub</c> are enums bound by the options pattern: any case, nothing else.</summary>
public sealed class ModeSettingTests
{
    // Nothing listens here: the gateway starts without Redis or the API (readiness says so), which is all these tests need.
    private const string NoRedis = "127.0.0.1:1";
    private static readonly Uri NoApi = new("http://127.0.0.1:9/");

    [Theory]
    [InlineData("Redis__PubSub", "broadcast", "Redis:PubSub")]
    [InlineData("Redis__PubSub", "7", "Redis:PubSub")]
    [InlineData("Auth__Mode", "basic", "Auth:Mode")]
    [InlineData("Auth__Mode", "5", "Auth:Mode")]
    public async Task An_unknown_mode_stops_the_gateway_at_start_up_naming_the_setting(string key, string value, string setting)
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            ServiceProcess.StartGatewayAsync(NoRedis, NoApi, new Dictionary<string, string?> { [key] = value }));

        Assert.Contains("exited during start-up", error.Message, StringComparison.Ordinal);
        Assert.Contains(setting, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Modes_are_read_in_any_case()
    {
        await using var gateway = await ServiceProcess.StartGatewayAsync(NoRedis, NoApi,
            new Dictionary<string, string?> { ["Redis__PubSub"] = "Sharded", ["Auth__Mode"] = "NONE" });

        using var page = await gateway.Http.GetAsync("config.json", TestContext.Current.CancellationToken);
        Assert.True(page.IsSuccessStatusCode);
    }
}
