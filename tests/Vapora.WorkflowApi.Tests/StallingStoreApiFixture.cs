using Vapora.Testing;

namespace Vapora.WorkflowApi.Tests;

/// <summary>
/// One API process whose store can be made to stall per request (the test-only fault assembly delays the store calls
/// of a request by the milliseconds in <see cref="DelayHeader"/>: all of them, or named ones), with a 1.5 s bound per
/// store call and a 2 s bound per request. A write makes three store calls, so 900 ms each (under the call bound) take
/// 2.7 s without the request deadline; 800 ms before a call that stalls for good puts the deadline inside that call,
/// 300 ms before the call's own bound.
/// </summary>
public sealed class StallingStoreApiFixture(RedisFixture redis) : IAsyncLifetime
{
    public const string DelayHeader = "Vapora-Test-Store-Delay";

    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(2);

    public ServiceProcess Api { get; private set; } = null!;

    public async ValueTask InitializeAsync() => Api = await ServiceProcess.StartApiAsync(redis.Server.ConnectionString, Settings.Layer(
        new Dictionary<string, string?>
        {
            ["Storage__OperationTimeout"] = "00:00:01.500",
            ["Storage__RequestTimeout"] = "00:00:02",
            ["Publishing__OutboxPollInterval"] = "00:00:00.100",
            ["Publishing__OutboxGrace"] = "00:00:00.500",
        },
        FaultInjection.StoreDelayHeader(DelayHeader)));

    public ValueTask DisposeAsync() => Api.DisposeAsync();
}
