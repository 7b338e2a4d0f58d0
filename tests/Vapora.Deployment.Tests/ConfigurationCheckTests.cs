using Vapora.Testing;

namespace Vapora.Deployment.Tests;

/// <summary>
/// The services' own start-up check of their configuration (libs/service-defaults/Configuration), on real
/// processes: a key in a section a service owns that no setting reads stops it, named with the key it meant.
/// </summary>
public sealed class ConfigurationCheckTests
{
    private const string NoRedis = "127.0.0.1:1";
    private static readonly Uri NoApi = new("http://127.0.0.1:9/");

    [Fact]
    public async Task A_gateway_with_a_misspelt_key_in_its_own_section_refuses_to_start_and_names_the_key_it_meant()
    {
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => ServiceProcess.StartGatewayAsync(NoRedis, NoApi,
            new Dictionary<string, string?> { ["Gateway__DrainWindw"] = "00:00:05" }));

        Assert.Contains("exited during start-up", failure.Message, StringComparison.Ordinal);
        Assert.Contains("Unknown configuration key Gateway:DrainWindw (environment variable Gateway__DrainWindw): realtime-gateway reads no such setting. Did you mean Gateway:DrainWindow?",
            failure.Message, StringComparison.Ordinal);
        Assert.Contains("ConfigurationCheck__UnknownKeys=warn", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_api_with_a_list_written_without_its_index_refuses_to_start()
    {
        // The binder ignores a value on a list: Cors__AllowedOrigins=… would silently allow no origin at all.
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => ServiceProcess.StartApiAsync(NoRedis,
            new Dictionary<string, string?> { ["Cors__AllowedOrigins"] = "http://127.0.0.1:5081" }));

        Assert.Contains("Unknown configuration key Cors:AllowedOrigins (environment variable Cors__AllowedOrigins): workflow-api reads no such setting.", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_unknown_keys_set_to_warn_the_api_starts_and_logs_each_unknown_key_as_an_error()
    {
        await using var api = await ServiceProcess.StartApiAsync(NoRedis, new Dictionary<string, string?>
        {
            ["ConfigurationCheck__UnknownKeys"] = "warn",
            ["Publishing__OutboxPollIntervl"] = "00:00:01",
            ["Workflows__MaxMesageLength"] = "100",
        });

        var log = api.Log();
        Assert.Contains("fail: Vapora.Configuration[300]", log, StringComparison.Ordinal);
        Assert.Contains("Unknown configuration key Publishing:OutboxPollIntervl (environment variable Publishing__OutboxPollIntervl): workflow-api reads no such setting, so it has no effect. Did you mean Publishing:OutboxPollInterval?", log, StringComparison.Ordinal);
        Assert.Contains("Unknown configuration key Workflows:MaxMesageLength", log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Keys_of_sections_another_service_reads_and_connection_strings_it_does_not_use_leave_a_gateway_alone()
    {
        // One ConfigMap feeds both services: the gateway sees the API's settings and connection strings too.
        await using var gateway = await ServiceProcess.StartGatewayAsync(NoRedis, NoApi, new Dictionary<string, string?>
        {
            ["Storage__Provider"] = "sqlite",
            ["Cors__AllowedOrigins__0"] = "http://127.0.0.1:5081",
            ["ConnectionStrings__mongodb"] = "mongodb://mongo:27017",
            ["Gateway__AllowedOrigins__0"] = "http://127.0.0.1:8080",
            ["Redis__Tls__CaFile"] = string.Empty,
        });

        Assert.DoesNotContain("Unknown configuration key", gateway.Log(), StringComparison.Ordinal);
    }
}
