using Vapora.Testing;

namespace Vapora.WorkflowApi.Tests;

/// <summary>Configuration mistakes stop the API at start with a message that names the setting.</summary>
public sealed class StartupValidationTests(RedisFixture redis)
{
    public static TheoryData<string, string, string, string> BadSettings => new()
    {
        { "Storage__Provider", "postgres", "Storage:Provider 'postgres' is not known. Use one of: mongodb, sqlite, memory.", "" },
        { "Storage__Provider", "7", "Storage:Provider '7' is not known", "" },
        { "Storage__OperationTimeout", "00:10:00", "OperationTimeout", "" },
        { "Storage__RequestTimeout", "00:00:00", "RequestTimeout", "" },
        { "Storage__RequestTimeout", "00:00:02", "Storage:RequestTimeout must not be below Storage:OperationTimeout", "" },
        { "RateLimits__WritesPerSecond", "0", "WritesPerSecond", "" },
        { "Storage__Provider", "mongodb", "ConnectionStrings:mongodb is not set", "" },
        { "Storage__Provider", "mongodb", "not a valid MongoDB connection string", "http://not-mongo" },
        { "Storage__Mongo__ServerSelectionTimeout", "00:00:00", "ServerSelectionTimeout", "mongodb://127.0.0.1:1/vapora" },
    };

    [Theory]
    [MemberData(nameof(BadSettings))]
    public async Task A_bad_setting_stops_the_api_at_start_naming_it(string key, string value, string expected, string mongodb)
    {
        var settings = new Dictionary<string, string?> { [key] = value };
        if (mongodb.Length > 0)
        {
            settings["Storage__Provider"] = "mongodb";
            settings["ConnectionStrings__mongodb"] = mongodb;
        }

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => ServiceProcess.StartApiAsync(redis.Server.ConnectionString, settings));

        Assert.Contains(expected, failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_storage_provider_is_read_in_any_case()
    {
        await using var api = await ServiceProcess.StartApiAsync(redis.Server.ConnectionString, new Dictionary<string, string?> { ["Storage__Provider"] = "MEMORY" });

        var created = await new WorkflowApiClient(api.Http).CreateAsync();

        Assert.Equal(1, created.Version);
    }
}
