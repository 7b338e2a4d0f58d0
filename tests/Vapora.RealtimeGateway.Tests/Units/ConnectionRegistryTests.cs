using System.Net;
using System.Security.Claims;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Vapora.Contracts;
using Vapora.RealtimeGateway.Connections;

namespace Vapora.RealtimeGateway.Tests.Units;

/// <summary>The connection limits (Gateway:MaxConnections, per subject, per address), also under connections that arrive together, and the gauges read from the registry.</summary>
public sealed class ConnectionRegistryTests : IDisposable
{
    private const int Limit = 4;
    private const int Rounds = 60_000;

    private readonly ConnectionOptions _options = new() { MaxConnections = Limit };
    private readonly TestCore _core;

    public ConnectionRegistryTests() => _core = new TestCore(new FakeUpdateLog("wf_registry_unit", latest: 1), new FakeTimeProvider(), connections: _options);

    public void Dispose() => _core.Dispose();

    [Fact]
    public void Connections_that_arrive_together_never_pass_the_limit()
    {
        var registry = new ConnectionRegistry(Options.Create(_options));
        var threads = Math.Max(2, Environment.ProcessorCount);
        var admittedOver = 0;
        using var start = new Barrier(threads + 1);
        using var done = new Barrier(threads + 1);
        var ct = TestContext.Current.CancellationToken;
        var held = Enumerable.Range(0, Limit - 1).Select(_ => NewConnection(registry)).ToList();
        var connections = new Connection[Rounds][];
        for (var round = 0; round < Rounds; round++)
        {
            connections[round] = [.. Enumerable.Range(0, threads).Select(_ => NewConnection(registry))];
        }

        var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
        {
            for (var round = 0; round < Rounds; round++)
            {
                start.SignalAndWait(ct);
                registry.TryRegister(connections[round][t], subject: null, address: null);
                done.SignalAndWait(ct);
            }
        })).ToList();
        workers.ForEach(w => w.Start());

        for (var round = 0; round < Rounds; round++)
        {
            // One slot left: every thread wants it at once.
            held.ForEach(c => Assert.Null(registry.TryRegister(c, subject: null, address: null)));
            start.SignalAndWait(ct);
            done.SignalAndWait(ct);
            admittedOver = Math.Max(admittedOver, registry.Count - Limit);
            foreach (var connection in held.Concat(connections[round]))
            {
                registry.Unregister(connection);
            }
        }

        workers.ForEach(w => w.Join());
        Assert.Equal(0, admittedOver);
        Assert.Equal(0, registry.Count);
    }

    [Fact]
    public void A_subject_or_address_at_its_limit_is_refused_without_being_counted_and_gets_its_slot_back_when_a_connection_ends()
    {
        var registry = new ConnectionRegistry(Options.Create(new ConnectionOptions { MaxConnections = 10, MaxConnectionsPerSubject = 1, MaxConnectionsPerAddress = 2 }));
        var (home, office) = (IPAddress.Parse("127.0.0.1"), IPAddress.Parse("127.0.0.2"));
        var first = NewConnection(registry);

        Assert.Null(registry.TryRegister(first, "alice", home));
        Assert.Equal(CloseReason.SubjectAtLimit, registry.TryRegister(NewConnection(registry), "alice", office));
        Assert.Null(registry.TryRegister(NewConnection(registry), "bob", home));
        Assert.Equal(CloseReason.AddressAtLimit, registry.TryRegister(NewConnection(registry), "carol", home));
        Assert.Equal(2, registry.Count);
        Assert.Throws<InvalidOperationException>(() => registry.TryRegister(first, "dave", office));
        Assert.Equal(2, registry.Count);

        registry.Unregister(first);

        Assert.Equal(1, registry.Count);
        Assert.Null(registry.TryRegister(NewConnection(registry), "alice", office));
        Assert.Null(registry.TryRegister(NewConnection(registry), "carol", home));
        Assert.Null(registry.TryRegister(NewConnection(registry), "dave", office)); // the refused registration gave its slots back
    }

    [Fact]
    public void At_the_limit_a_connection_is_told_to_try_again_later_and_not_counted()
    {
        var registry = new ConnectionRegistry(Options.Create(new ConnectionOptions { MaxConnections = 2, MaxConnectionsPerSubject = 5 }));
        Assert.Null(registry.TryRegister(NewConnection(registry), "alice", address: null));
        Assert.Null(registry.TryRegister(NewConnection(registry), "alice", address: null));

        Assert.Equal(CloseReason.TryAgainLater, registry.TryRegister(NewConnection(registry), "alice", address: null));

        Assert.Equal(2, registry.Count);
        Assert.Equal(2, registry.Limit);
        Assert.Equal(2, registry.Connections.Count());
    }

    [Fact]
    public async Task The_gauges_sum_queued_frames_and_subscriptions_over_every_connection_and_count_each_registered_transport_also_at_zero()
    {
        var registry = new ConnectionRegistry(Options.Create(_options));
        var (socket, stream) = (new TransportInfo("websocket", IsBidirectional: true), new TransportInfo("sse", IsBidirectional: false));
        var polling = new TransportInfo("polling", IsBidirectional: false);
        var sockets = Enumerable.Range(0, 2).Select(_ => NewConnection(registry, socket)).ToList();
        var streamed = NewConnection(registry, stream);
        foreach (var connection in sockets.Append(streamed))
        {
            Assert.Null(registry.TryRegister(connection, subject: null, address: null));
        }

        // Nothing writes these connections' queues (they do not run): what is enqueued stays queued.
        sockets[0].EnqueueLive(new byte[] { 1 }, 0, "wf_registry_unit", isProgress: false);
        sockets[0].EnqueueLive(new byte[] { 2 }, 0, "wf_registry_unit", isProgress: false);
        streamed.EnqueueLive(new byte[] { 3 }, 0, "wf_registry_unit", isProgress: false);
        Assert.Equal(SubscribeResult.Subscribed, await sockets[1].Subscriptions.SubscribeAsync("wf_registry_unit", after: 1, enveloped: false, subscribedFrame: null));
        Assert.Equal(SubscribeResult.Subscribed, await streamed.Subscriptions.SubscribeAsync("wf_registry_unit", after: 1, enveloped: false, subscribedFrame: null));

        Assert.Equal(3, registry.QueuedFrames);
        Assert.Equal(2, registry.Subscriptions);
        Assert.Equal([("websocket", 2), ("sse", 1), ("polling", 0)], registry.CountByTransport([socket, stream, polling]).ToList());

        registry.Unregister(sockets[0]);
        Assert.Equal(1, registry.QueuedFrames);
        Assert.Equal([("websocket", 1), ("sse", 1), ("polling", 0)], registry.CountByTransport([socket, stream, polling]).ToList());
        foreach (var connection in sockets.Append(streamed))
        {
            connection.Subscriptions.Clear();
        }
    }

    private Connection NewConnection(ConnectionRegistry registry, TransportInfo transport) =>
        new(registry.NextId(), new FakeTransport { Info = transport }, new ClaimsPrincipal(), _core.Services);

    private Connection NewConnection(ConnectionRegistry registry) => new(registry.NextId(), new FakeTransport(), new ClaimsPrincipal(), _core.Services);
}
