using System.Net;
using System.Security.Claims;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Vapora.Contracts;
using Vapora.RealtimeGateway.Connections;

namespace Vapora.RealtimeGateway.Tests.Units;

/// <summary>The connection limit (Gateway:MaxConnections) under connections that arrive together.</summary>
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

    private Connection NewConnection(ConnectionRegistry registry) => new(registry.NextId(), new FakeTransport(), new ClaimsPrincipal(), _core.Services);
}
