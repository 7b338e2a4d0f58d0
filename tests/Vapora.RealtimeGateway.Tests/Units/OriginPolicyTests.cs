using Microsoft.AspNetCore.Http;
using Vapora.RealtimeGateway.Connections;

namespace Vapora.RealtimeGateway.Tests.Units;

/// <summary>Which page origins may open sockets and event streams on a gateway at <c>gw.example.com:8443</c>.</summary>
public sealed class OriginPolicyTests
{
    [Theory]
    [InlineData(null, "", true)] // not a browser page
    [InlineData("https://gw.example.com:8443", "", true)] // the gateway's own pages
    [InlineData("https://GW.example.com:8443", "", true)]
    [InlineData("https://gw.example.com", "", false)] // another port is another origin
    [InlineData("http://gw.example.com:8443", "", false)] // another scheme is another origin
    [InlineData("https://evil.example.com", "", false)]
    [InlineData("not a url", "", false)]
    [InlineData("https://app.example.com", "https://app.example.com", true)]
    [InlineData("https://APP.example.com", "https://app.example.com/", true)] // case and a trailing slash in the setting
    [InlineData("https://app.example.com", "https://other.example.com,https://app.example.com", true)]
    [InlineData("https://gw.example.com:8443", "https://app.example.com", false)] // a list replaces "own origin only"
    [InlineData("http://app.example.com", "https://app.example.com", false)] // the scheme counts
    [InlineData("https://anything.example", "*", true)]
    public void An_origin_is_allowed_by_the_configured_list_or_by_default_only_from_the_gateways_own_origin(string? origin, string allowed, bool expected)
    {
        var http = new DefaultHttpContext();
        http.Request.Scheme = "https";
        http.Request.Host = new HostString("gw.example.com:8443");
        if (origin is not null)
        {
            http.Request.Headers.Origin = origin;
        }

        var origins = allowed.Length == 0 ? [] : allowed.Split(',');

        Assert.Equal(expected, OriginPolicy.IsAllowed(http.Request, origins));
    }
}
