using Vapora.Testing;

namespace Vapora.Security.Tests;

/// <summary>
/// The Origin check compares scheme, host and port, and takes only a serialized origin (issue 30, item 7): the same
/// host with another scheme, port, path or user info is another origin, refused with 403 before the upgrade.
/// </summary>
public sealed class OriginPolicyTests(SecuredFixture fixture) : IClassFixture<SecuredFixture>
{
    [Theory]
    [InlineData("https://127.0.0.1:{port}")]
    [InlineData("http://127.0.0.1:{other}")]
    [InlineData("http://127.0.0.1")]
    [InlineData("http://127.0.0.1:{port}/path")]
    [InlineData("http://127.0.0.1:{port}/")]
    [InlineData("http://user@127.0.0.1:{port}")]
    [InlineData("ws://127.0.0.1:{port}")]
    [InlineData("null")]
    public async Task The_gateways_own_host_with_another_scheme_port_path_or_user_info_gets_403(string origin)
    {
        var url = await StreamUrlAsync(fixture.Gateway);
        var refused = await Assert.ThrowsAsync<UpgradeRefusedException>(() => RawWebSocket.ConnectAsync(url, headers: Origin(Fill(origin, fixture.Gateway))));

        Assert.Equal(403, refused.StatusCode);
    }

    [Fact]
    public async Task The_gateways_own_origin_is_allowed_with_the_scheme_the_load_balancer_forwards()
    {
        var url = await StreamUrlAsync(fixture.Gateway);
        var own = $"http://127.0.0.1:{fixture.Gateway.Port}";

        await using var plain = await RawWebSocket.ConnectAsync(url, headers: Origin(own));
        await using var behindTls = await RawWebSocket.ConnectAsync(url, headers: new Dictionary<string, string>
        {
            ["Origin"] = $"https://127.0.0.1:{fixture.Gateway.Port}",
            ["X-Forwarded-Proto"] = "https",
        });

        Assert.Equal(RawWebSocket.Text, (await plain.ReadFrameAsync()).Opcode);
        Assert.Equal(RawWebSocket.Text, (await behindTls.ReadFrameAsync()).Opcode);
    }

    [Theory]
    [InlineData("http://app.example.com")]
    [InlineData("https://app.example.com:8443")]
    [InlineData("https://app.example.com/evil")]
    [InlineData("https://attacker@app.example.com")]
    [InlineData("https://app.example.com.evil.example")]
    public async Task A_configured_origin_matches_only_its_own_scheme_host_and_port(string origin)
    {
        await using var gateway = await fixture.StartGatewayAsync(new Dictionary<string, string?> { ["Gateway__AllowedOrigins__0"] = "https://app.example.com" });
        var url = await StreamUrlAsync(gateway);

        var refused = await Assert.ThrowsAsync<UpgradeRefusedException>(() => RawWebSocket.ConnectAsync(url, headers: Origin(origin)));
        await using var allowed = await RawWebSocket.ConnectAsync(url, headers: Origin("https://app.example.com:443"));

        Assert.Equal(403, refused.StatusCode);
        Assert.Equal(RawWebSocket.Text, (await allowed.ReadFrameAsync()).Opcode);
    }

    private static Dictionary<string, string> Origin(string value) => new() { ["Origin"] = value };

    private static string Fill(string origin, ServiceProcess gateway) =>
        origin.Replace("{port}", gateway.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("{other}", (gateway.Port + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);

    private async Task<Uri> StreamUrlAsync(ServiceProcess gateway)
    {
        var created = await fixture.ClientWith(fixture.AdminToken).CreateAsync();
        return gateway.WebSocketUrl($"/api/workflows/{created.WorkflowId}/updates?access_token={fixture.Tokens.Create("workflows:read")}");
    }
}
