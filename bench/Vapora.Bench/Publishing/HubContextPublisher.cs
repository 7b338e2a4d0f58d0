using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Vapora.Bench.Shared;

namespace Vapora.Bench.Publishing;

/// <summary>
/// The SignalR peer's publisher, as a separate process would be one: a host with
/// <c>AddSignalR().AddStackExchangeRedis()</c> and no endpoints, sending to a group through
/// <see cref="IHubContext{THub}"/>; the Redis backplane carries it to the server that holds the group's connections.
/// </summary>
internal sealed class HubContextPublisher : IUpdatePublisher
{
    private readonly IHost _host;
    private readonly IHubContext<ProgressHub> _hub;
    private readonly IReadOnlyList<string> _groups;
    private readonly long[] _sent;
    private readonly long[] _failed;
    private readonly InFlightSends _inFlight = new();

    private HubContextPublisher(IHost host, IReadOnlyList<string> groups)
    {
        _host = host;
        _hub = host.Services.GetRequiredService<IHubContext<ProgressHub>>();
        _groups = groups;
        _sent = new long[groups.Count];
        _failed = new long[groups.Count];
    }

    public long Failed => _inFlight.Failures.Count;

    public string? FirstError => _inFlight.Failures.First;

    public long Backlog => _inFlight.Pending;

    public static async Task<HubContextPublisher> StartAsync(string redis, IReadOnlyList<string> groups, CancellationToken cancellationToken)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddSignalR().AddStackExchangeRedis(redis);
        var host = builder.Build();
        await host.StartAsync(cancellationToken);
        var publisher = new HubContextPublisher(host, groups);
        // The backplane connects on first use: do that now, so the first measured send does not wait for it and,
        // once connected, each send reaches Redis in call order.
        await publisher._hub.Clients.Group("vapora-bench-warmup").SendAsync(ProgressHub.UpdateMethod, UpdatePayload.Create("warmup", 1), cancellationToken);
        return publisher;
    }

    public void Publish(int workflow)
    {
        var version = Interlocked.Increment(ref _sent[workflow]) + 1;
        // A typed object, serialized by SignalR's JSON protocol once per send, as an application would send it.
        var update = UpdatePayload.Create(_groups[workflow], version);
        _inFlight.Track(_hub.Clients.Group(_groups[workflow]).SendAsync(ProgressHub.UpdateMethod, update), () => Interlocked.Increment(ref _failed[workflow]));
    }

    public long Accepted(int workflow) => Interlocked.Read(ref _sent[workflow]) - Interlocked.Read(ref _failed[workflow]);

    public Task FlushAsync(CancellationToken cancellationToken) => _inFlight.WaitIdleAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }
}
