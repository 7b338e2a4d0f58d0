using System.Net;
using Vapora.Testing;

namespace Vapora.Security.Tests;

/// <summary>TLS to Redis with a private CA: the whole pipeline over it, and what is refused.</summary>
public sealed class RedisTlsTests(RedisTlsFixture fixture) : IClassFixture<RedisTlsFixture>
{
    [Fact]
    public async Task The_whole_pipeline_runs_over_tls_with_a_private_ca_and_a_client_certificate()
    {
        await fixture.Api.WaitForReadinessAsync(HttpStatusCode.OK);
        await fixture.Gateway.WaitForReadinessAsync(HttpStatusCode.OK);
        var client = new WorkflowApiClient(fixture.Api.Http);
        var created = await client.CreateAsync();
        await using var socket = await TestSocket.ConnectAsync(fixture.Gateway.WebSocketUrl($"/api/workflows/{created.WorkflowId}/updates"));
        Assert.Equal(1, (await socket.NextJsonAsync()).GetProperty("version").GetInt64());

        await client.ProgressAsync(created.WorkflowId, 1, "over TLS");

        var update = await socket.NextJsonAsync();
        Assert.Equal(2, update.GetProperty("version").GetInt64());
        Assert.Equal("over TLS", update.GetProperty("message").GetString());
        Assert.Contains("TLS on (CA " + fixture.Certificates.CaFile + ")", fixture.Api.Log(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_server_certificate_that_does_not_chain_to_the_configured_ca_is_refused_with_a_clear_error()
    {
        await using var impostor = await fixture.StartRedisAsync(fixture.Certificates.OtherServerCertFile, fixture.Certificates.OtherServerKeyFile,
            trustedCa: fixture.Certificates.OtherCaFile);
        await using var api = await ServiceProcess.StartApiAsync(impostor.ConnectionString + ",ssl=true",
            Settings.Layer(RedisAcl.ServiceSettings(RedisAcl.ApiUser), fixture.TlsSettings));

        await Poll.UntilAsync(() => api.Log().Contains("does not chain to the CA in Redis:Tls:CaFile", StringComparison.Ordinal),
            TimeSpan.FromSeconds(30), "the API to log why it refused the server's certificate");
        Assert.Contains("Refused the TLS certificate of a Redis server (subject CN=127.0.0.1, issuer CN=Unrelated test CA)", api.Log(), StringComparison.Ordinal);
        var readiness = await api.WaitForReadinessAsync(HttpStatusCode.OK);
        Assert.Equal("Degraded", readiness.GetProperty("checks").GetProperty("redis").GetProperty("status").GetString());
    }

    [Theory]
    [InlineData(false, "ca", "does not contain ssl=true")]
    [InlineData(true, "missing", "does not exist")]
    [InlineData(true, "half-pair", "go together")]
    public async Task Tls_settings_that_cannot_work_stop_the_service_at_start_with_a_clear_message(bool ssl, string problem, string expected)
    {
        var settings = problem switch
        {
            "ca" => new Dictionary<string, string?> { ["Redis__Tls__CaFile"] = fixture.Certificates.CaFile },
            "missing" => new Dictionary<string, string?> { ["Redis__Tls__CaFile"] = Path.Combine(fixture.Certificates.Directory, "no-such-ca.crt") },
            _ => new Dictionary<string, string?> { ["Redis__Tls__CaFile"] = fixture.Certificates.CaFile, ["Redis__Tls__ClientCertFile"] = fixture.Certificates.ClientCertFile },
        };

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            ServiceProcess.StartApiAsync(fixture.Redis.ConnectionString + (ssl ? ",ssl=true" : ""), settings));

        Assert.Contains(expected, failure.Message, StringComparison.Ordinal);
    }
}
